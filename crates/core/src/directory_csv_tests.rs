use super::*;

const NOW_MS: i64 = 1_795_000_000_000; // 2026-11-18

fn headings() -> Vec<String> {
    COLUMNS.iter().map(|c| (*c).to_owned()).collect()
}

fn cells(values: &[(&str, &str)]) -> Vec<String> {
    COLUMNS
        .iter()
        .map(|c| {
            values
                .iter()
                .find(|(k, _)| k == c)
                .map(|(_, v)| (*v).to_owned())
                .unwrap_or_default()
        })
        .collect()
}

fn entry() -> ResourcePatch {
    ResourcePatch {
        name: Some("おとしよりぐるりんタクシー".into()),
        kana: Some("おとしよりぐるりんたくしー".into()),
        categories: Some(vec![Category::Transport, Category::Consultation]),
        operator: Some("高崎市".into()),
        fee: Some("=1回100円".into()),
        apply_first: Some(true),
        phone: Some("027-321-1319".into()),
        description: Some("通院に、\n買い物に。".into()),
        checked_on: CivilDate::new(2026, 10, 1),
        public: Some(true),
        ..ResourcePatch::default()
    }
}

#[test]
fn an_export_reads_back_as_the_same_entry() {
    let id = RecordId::new_v7(1_700_000_000_000, [1; 10]);
    let csv = export_csv(&[(id, entry())]);
    assert!(csv.starts_with("\u{FEFF}ID,名称,よみがな,分類,"));
    // A cell that would run as a formula is kept as text; categories in words.
    assert!(csv.contains(",'=1回100円,"), "{csv}");
    assert!(csv.contains("移動支援、相談窓口"), "{csv}");
    let row = export_row(id, &entry());
    let at = read_headings(&headings()).unwrap();
    let read = read_row(2, &row, &at, Some(DistrictId(1)), NOW_MS);
    assert_eq!(read.id, Some(id));
    let read = read.entry.unwrap();
    assert_eq!(changed_fields(&entry(), &read), None, "{read:?}");
}

#[test]
fn headings_in_any_order_and_only_name_and_category_required() {
    let at = read_headings(&["分類".into(), "\u{FEFF}名称".into(), "".into()]).unwrap();
    let read = read_row(
        2,
        &["買い物支援".into(), "とくし丸".into(), "".into()],
        &at,
        None,
        NOW_MS,
    );
    let entry = read.entry.unwrap();
    assert_eq!(entry.name.as_deref(), Some("とくし丸"));
    assert_eq!(entry.categories, Some(vec![Category::Shopping]));
    // Left empty, it stays internal.
    assert_eq!(entry.public, Some(false));

    let problems = read_headings(&["名前".into(), "分類".into()]).unwrap_err();
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(problems[0].message.contains("知らない見出し"));
    assert!(problems[1].message.contains("「名称」の列がありません"));
}

#[test]
fn each_problem_is_said_in_japanese_under_its_column() {
    let at = read_headings(&headings()).unwrap();
    let read = read_row(
        5,
        &cells(&[
            ("名称", ""),
            ("分類", "買い物、移動支援"),
            ("申込", "たぶん"),
            ("最終確認日", "来週"),
            ("電話", "027-321-1319\u{0}"),
            ("ID", "abc"),
        ]),
        &at,
        Some(DistrictId(1)),
        NOW_MS,
    );
    assert_eq!(read.row, 5);
    let problems = read.entry.unwrap_err();
    let columns: Vec<&str> = problems.iter().map(|p| p.column.as_str()).collect();
    for column in ["ID", "分類", "申込", "最終確認日", "名称", "電話"] {
        assert!(columns.contains(&column), "{column}: {problems:?}");
    }
    let category = problems.iter().find(|p| p.column == "分類").unwrap();
    assert!(category
        .message
        .contains("「買い物」という分類はありません"));
    assert!(problems.iter().all(|p| !p.message.is_empty()));
}

#[test]
fn dates_as_excel_rewrites_them_and_a_future_check_is_refused() {
    let at = read_headings(&headings()).unwrap();
    for written in ["2026-10-01", "2026/10/01", "2026/10/1", "2026年10月1日"] {
        let read = read_row(
            2,
            &cells(&[("名称", "a"), ("分類", "相談窓口"), ("最終確認日", written)]),
            &at,
            None,
            NOW_MS,
        );
        assert_eq!(
            read.entry.unwrap().checked_on,
            CivilDate::new(2026, 10, 1),
            "{written}"
        );
    }
    let read = read_row(
        2,
        &cells(&[
            ("名称", "a"),
            ("分類", "相談窓口"),
            ("最終確認日", "2030-01-01"),
        ]),
        &at,
        None,
        NOW_MS,
    );
    assert_eq!(read.entry.unwrap_err()[0].column, "最終確認日");
}

#[test]
fn an_update_sets_only_what_changed_and_an_empty_text_cell_clears() {
    let held = entry();
    let mut incoming = entry();
    incoming.fee = None;
    incoming.when = Some("平日".into());
    incoming.apply_first = None;
    let patch = changed_fields(&held, &incoming).unwrap();
    assert_eq!(patch.fee.as_deref(), Some(""));
    assert_eq!(patch.when.as_deref(), Some("平日"));
    assert_eq!(patch.apply_first, None);
    assert_eq!(patch.name, None);
}

#[test]
fn an_import_creates_updates_or_leaves_each_row_and_refuses_two_rows_for_one_entry() {
    let at = read_headings(&headings()).unwrap();
    let held_id = RecordId::new_v7(1_700_000_000_000, [2; 10]);
    let held = vec![(held_id, entry())];
    let read =
        |row: usize, values: &[(&str, &str)]| read_row(row, &cells(values), &at, None, NOW_MS);
    let same = read_row(2, &export_row(held_id, &entry()), &at, None, NOW_MS);
    let rows = plan_import(
        vec![
            same.clone(),
            read(3, &[("名称", "とくし丸"), ("分類", "買い物支援")]),
            read(4, &[("名称", "とくし丸"), ("分類", "買い物支援")]),
            read(
                5,
                &[
                    ("名称", "おとしよりぐるりんタクシー"),
                    ("分類", "移動支援"),
                    ("公開", "公開"),
                ],
            ),
        ],
        &held,
    );
    let actions: Vec<ImportAction> = rows.iter().map(|r| r.action).collect();
    assert_eq!(
        actions,
        [
            ImportAction::Unchanged,
            ImportAction::Create,
            ImportAction::Refused,
            ImportAction::Refused
        ]
    );
    assert!(
        rows[2].problems[0].message.contains("3行目と同じ名称"),
        "{:?}",
        rows[2]
    );
    assert!(
        rows[3].problems[0].message.contains("2行目と同じ社会資源"),
        "{:?}",
        rows[3]
    );

    // By name, without an ID: an update of what changed.
    let rows = plan_import(
        vec![read(
            2,
            &[
                ("名称", "おとしよりぐるりんタクシー"),
                ("分類", "移動支援、相談窓口"),
                ("費用", "無料"),
                ("公開", "公開"),
            ],
        )],
        &held,
    );
    assert_eq!(rows[0].action, ImportAction::Update);
    assert_eq!(rows[0].id, Some(held_id));
    assert_eq!(rows[0].entry.as_ref().unwrap().fee.as_deref(), Some("無料"));
    // An ID from elsewhere is refused.
    let stranger = RecordId::new_v7(1_700_000_000_001, [3; 10]).to_string();
    let rows = plan_import(
        vec![read(
            2,
            &[("ID", &stranger), ("名称", "x"), ("分類", "相談窓口")],
        )],
        &held,
    );
    assert_eq!(rows[0].action, ImportAction::Refused);
    assert_eq!(rows[0].problems[0].column, "ID");
}

#[test]
fn a_formula_behind_a_tab_a_line_break_or_spaces_is_exported_as_text() {
    let id = RecordId::new_v7(1_700_000_000_000, [1; 10]);
    let entry = ResourcePatch {
        name: Some("\t=1+1".into()),
        operator: Some("\r=1+1".into()),
        address: Some(" =cmd".into()),
        description: Some("\n@SUM(A1)".into()),
        ..entry()
    };
    let csv = export_csv(&[(id, entry)]);
    let row = csv.split("\r\n").nth(1).unwrap();
    assert!(row.starts_with(&format!("{id},'\t=1+1,")), "{row:?}");
    assert!(row.contains(",\"'\r=1+1\","), "{row:?}");
    assert!(row.contains(",' =cmd,"), "{row:?}");
    assert!(row.contains(",\"'\n@SUM(A1)\","), "{row:?}");
}

#[test]
fn an_entry_back_from_excels_shift_jis_is_unchanged_though_its_wave_dash_came_back_full_width() {
    let held = ResourcePatch {
        when: Some("毎週火曜 10時〜12時".into()),
        description: Some("会費 1,000円 − 割引あり".into()),
        ..entry()
    };
    // What Excel saves as Shift_JIS (CP932) gives back.
    let back = ResourcePatch {
        when: Some("毎週火曜 10時～12時".into()),
        description: Some("会費 1,000円 － 割引あり".into()),
        ..entry()
    };
    assert_eq!(changed_fields(&held, &back), None);
    // A real change is still one.
    let changed = ResourcePatch {
        when: Some("毎週水曜 10時～12時".into()),
        ..back
    };
    assert_eq!(
        changed_fields(&held, &changed).and_then(|p| p.when),
        Some("毎週水曜 10時～12時".into())
    );
}
