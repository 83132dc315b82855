use proptest::prelude::*;
use unicode_normalization::UnicodeNormalization as _;

use super::*;

fn nfkc(text: &str) -> String {
    text.nfkc().collect()
}

fn folded(text: &str) -> String {
    fold(text, &nfkc)
}

#[test]
fn hiragana_and_katakana_are_alike() {
    assert_eq!(folded("タクシー"), folded("たくしー"));
    assert_eq!(folded("ボランティア"), "ほらんていあ".replace('ほ', "ぼ"));
    assert_eq!(folded("ヴ"), "ゔ");
    assert_eq!(folded("ヽヾ"), "ゝゞ");
}

#[test]
fn full_and_half_width_are_alike() {
    // 半角カナ, voiced marks included, and 全角 letters and digits.
    assert_eq!(folded("ﾀｸｼｰ"), folded("タクシー"));
    assert_eq!(folded("ｶﾞｲﾄﾞ"), folded("ガイド"));
    assert_eq!(folded("ﾊﾟﾝ"), folded("パン"));
    assert_eq!(folded("ＮＰＯ法人"), "npo法人");
    assert_eq!(folded("０２７"), "027");
}

#[test]
fn case_long_vowels_and_small_kana_are_forgiven() {
    assert_eq!(folded("Silver"), folded("SILVER"));
    assert_eq!(folded("たくし"), folded("タクシー"));
    assert_eq!(folded("きよう"), folded("きょう"));
    assert_eq!(folded("サポータ"), folded("サポーター"));
    assert_eq!(folded("てぃ"), folded("てい"));
}

#[test]
fn punctuation_and_spaces_become_one_space_between_words() {
    assert_eq!(folded("居場所「八起き」"), "居場所 八起き");
    assert_eq!(folded("シルバー・人材　センター"), "しるば 人材 せんた");
    assert_eq!(folded("  とくし丸  "), "とくし丸");
}

#[test]
fn katakana_become_the_hiragana_a_well_kept_converter_gives() {
    // Every katakana with a hiragana form, one by one (wana_kana keeping ー as it is).
    for code in 0x30A1..=0x30F6u32 {
        let katakana = char::from_u32(code).unwrap().to_string();
        let options = wana_kana::Options {
            pass_romaji: true,
            keep_prolonged_sound_mark: true,
            ..Default::default()
        };
        let expected = wana_kana::ConvertJapanese::to_hiragana_with_opt(katakana.as_str(), options);
        let expected: String = expected.chars().map(large_kana).collect();
        assert_eq!(folded(&katakana), expected, "{katakana}");
    }
}

fn resource(name: &str, kana: &str, labels: &str, body: &str) -> Vec<Field> {
    vec![
        Field {
            id: 0,
            tier: Tier::Title,
            folded: folded(name),
        },
        Field {
            id: 1,
            tier: Tier::Title,
            folded: folded(kana),
        },
        Field {
            id: 2,
            tier: Tier::Label,
            folded: folded(labels),
        },
        Field {
            id: 3,
            tier: Tier::Body,
            folded: folded(body),
        },
    ]
}

fn directory() -> Vec<Vec<Field>> {
    vec![
        resource(
            "あんしんセンター乗附",
            "あんしんせんたーのりつけ",
            "相談窓口",
            "介護や健康の相談。タクシー券の申請もここで。",
        ),
        resource(
            "おとしよりぐるりんタクシー",
            "おとしよりぐるりんたくしー",
            "移動支援",
            "70歳以上の方が乗れる乗合タクシー。",
        ),
        resource(
            "とくし丸",
            "とくしまる",
            "買い物支援",
            "移動販売の車が家の近くまで来ます。",
        ),
        resource(
            "たのも〜お助け隊",
            "たのもーおたすけたい",
            "家事・生活支援",
            "電球交換や草取りをお手伝い。",
        ),
        resource(
            "新町の買い物支援ボランティア",
            "しんまちのかいものしえんぼらんてぃあ",
            "買い物支援",
            "買い物の付き添い。",
        ),
    ]
}

fn names(query: &str) -> Vec<usize> {
    let terms = query_terms(query, &nfkc);
    search(&terms, &directory())
        .into_iter()
        .map(|h| h.index)
        .collect()
}

#[test]
fn takushi_finds_the_taxi_first_and_a_description_after() {
    assert_eq!(names("たくし"), vec![1, 0]);
    assert_eq!(names("ﾀｸｼｰ"), vec![1, 0]);
    assert_eq!(names("タクシー"), vec![1, 0]);
}

#[test]
fn a_name_or_reading_that_starts_with_the_query_comes_first() {
    // おとしより… starts with お; たのも〜お助け隊 has a word that does; …お手伝い is in a
    // description.
    assert_eq!(names("お"), vec![1, 3]);
    assert_eq!(names("とくし"), vec![2]);
    // Inside a reading counts too (しんまちの|かいもの…).
    assert_eq!(names("かいもの"), vec![4]);
}

#[test]
fn kanji_and_kana_mixed_queries_match_word_by_word() {
    assert_eq!(names("買い物 ボランティア"), vec![4]);
    assert_eq!(names("買い物　しんまち"), vec![4]);
    assert_eq!(names("電球"), vec![3]);
    assert_eq!(names("相談"), vec![0]);
    assert!(names("存在しない").is_empty());
    assert!(names("   ").is_empty());
}

#[test]
fn a_category_is_found_by_its_name() {
    assert_eq!(names("移動"), vec![1, 2]);
}

#[test]
fn the_match_is_shown_in_the_original_text() {
    let description = "70歳以上の方が乗れる乗合ﾀｸｼｰ（予約制）。";
    let terms = query_terms("たくし", &nfkc);
    let fields = vec![Field {
        id: 3,
        tier: Tier::Body,
        folded: folded(description),
    }];
    let hit = &search(&terms, &[fields])[0];
    let shown = excerpt(description, hit.found, 4, &nfkc);
    assert_eq!(shown.matched, "ﾀｸｼｰ");
    assert_eq!(shown.before, "…れる乗合");
    assert_eq!(shown.after, "（予約制…");
    // Voiced half-width kana come back whole.
    let text = "ｶﾞｲﾄﾞﾌﾞｯｸ";
    let fields = vec![Field {
        id: 0,
        tier: Tier::Title,
        folded: folded(text),
    }];
    let hit = &search(&query_terms("ぶっく", &nfkc), &[fields])[0];
    let shown = excerpt(text, hit.found, 10, &nfkc);
    assert_eq!(
        (shown.before.as_str(), shown.matched.as_str()),
        ("ｶﾞｲﾄﾞ", "ﾌﾞｯｸ")
    );
}

proptest! {
    #[test]
    fn folding_is_idempotent_and_a_text_always_finds_itself(text in "[ぁ-んァ-ヶｦ-ﾟａ-ｚＡ-Ｚ0-9a-zA-Zー・ 　漢字町]{0,20}") {
        let once = folded(&text);
        prop_assert_eq!(folded(&once), once.clone());
        let terms = query_terms(&text, &nfkc);
        if !terms.is_empty() {
            let fields = vec![Field { id: 0, tier: Tier::Title, folded: once }];
            prop_assert_eq!(search(&terms, &[fields]).len(), 1);
        }
    }

    #[test]
    fn an_excerpt_is_a_piece_of_the_original(text in "[ぁ-んァ-ヶｦ-ﾟａ-ｚ0-9a-zー・ 　]{1,30}", from in 0usize..30, len in 1usize..5) {
        let fold = folded(&text);
        let chars: Vec<char> = fold.chars().collect();
        prop_assume!(from < chars.len());
        let to = (from + len).min(chars.len());
        let term: String = chars[from..to].iter().collect();
        let start = fold.char_indices().nth(from).map(|(b, _)| b).unwrap();
        let found = Found { field: 0, start, end: start + term.len() };
        let shown = excerpt(&text, found, 100, &nfkc);
        let whole = format!("{}{}{}", shown.before, shown.matched, shown.after);
        prop_assert_eq!(whole, text.clone());
        // What is shown as the match folds to the term (it may carry separators or ー).
        prop_assert!(folded(&shown.matched).contains(term.trim()), "{:?} {:?}", shown, term);
    }
}

#[test]
fn a_names_punctuation_does_not_split_a_search() {
    // たのも〜お助け隊 typed with ー, and 居場所「八起き」 typed whole.
    assert_eq!(names("たのもーお助け隊"), vec![3]);
    assert_eq!(names("たのもお助け"), vec![3]);
    let places = vec![resource(
        "居場所「八起き」",
        "いばしょやおき",
        "通いの場",
        "",
    )];
    let terms = query_terms("居場所八起き", &nfkc);
    let hits = search(&terms, &places);
    assert_eq!(hits.len(), 1);
    // The match shown covers the name as written, brackets between.
    let found = hits[0].found;
    assert_eq!(
        &places[0][0].folded[found.start..found.end],
        "居場所 八起き"
    );
    assert_eq!(hits[0].weakest, Strength::TitleStart);
}
