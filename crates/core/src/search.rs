//! Search that forgives how people type Japanese: ひらがな and カタカナ alike, 全角 and 半角
//! alike (Unicode NFKC), upper and lower case, long vowel marks and small kana; and a ranking
//! that puts what a name starts with first (the 社会資源まとめ, issue 11).
//!
//! NFKC itself is passed in ([`Nfkc`]): the phone uses the browser's
//! `String.prototype.normalize`, which already carries Unicode's tables (the
//! `unicode-normalization` crate's would add 54 KB to every first visit); the tests use that
//! crate. Both follow the same Unicode standard. Everything after NFKC is here, the same on
//! both sides.

use crate::order;

/// Unicode NFKC, as the caller's platform provides it.
pub type Nfkc<'a> = &'a dyn Fn(&str) -> String;

/// Text folded for matching: NFKC, then ASCII lower case, katakana as hiragana, small kana as
/// large, long vowel marks (and voicing marks left alone) dropped, and punctuation and spaces as one space between words.
pub fn fold(text: &str, nfkc: Nfkc<'_>) -> String {
    fold_mapped(text, nfkc, false).0
}

/// [`fold`], with the original character each folded character came from (for showing
/// where a match is).
pub fn fold_with_origins(text: &str, nfkc: Nfkc<'_>) -> (String, Vec<usize>) {
    fold_mapped(text, nfkc, true)
}

fn fold_mapped(text: &str, nfkc: Nfkc<'_>, map: bool) -> (String, Vec<usize>) {
    // NFKC, with each normalised character's origin. Usually NFKC keeps the count of
    // characters (全角 letters, 半角 kana without voicing marks), and the origin is the
    // same position; where it does not, each character and the marks after it are
    // normalised on their own.
    let whole = nfkc(text);
    let original = text.chars().count();
    let mut normalised: Vec<(char, usize)> = Vec::with_capacity(original);
    if whole.chars().count() == original {
        normalised.extend(whole.chars().zip(0..));
    } else {
        let chars: Vec<char> = text.chars().collect();
        let mut start = 0;
        while start < chars.len() {
            let mut end = start + 1;
            while end < chars.len() && is_attached_mark(chars[end]) {
                end += 1;
            }
            let segment: String = chars[start..end].iter().collect();
            normalised.extend(nfkc(&segment).chars().map(|c| (c, start)));
            start = end;
        }
    }
    let mut folded = String::with_capacity(whole.len());
    let mut origins = Vec::new();
    // Where the separator before the next word began, if one did.
    let mut pending_space: Option<usize> = None;
    for (c, origin) in normalised {
        match fold_char(c) {
            Folding::Keep(c) => {
                if let Some(space_origin) = pending_space.take() {
                    if !folded.is_empty() {
                        folded.push(' ');
                        if map {
                            origins.push(space_origin);
                        }
                    }
                }
                folded.push(c);
                if map {
                    origins.push(origin);
                }
            }
            Folding::Separator => {
                pending_space.get_or_insert(origin);
            }
            Folding::Drop => {}
        }
    }
    (folded, origins)
}

/// Marks NFKC joins to the character before them: (semi-)voiced sound marks, 半角 and
/// combining, and other combining marks.
fn is_attached_mark(c: char) -> bool {
    matches!(
        c,
        '\u{FF9E}' | '\u{FF9F}' | '\u{3099}' | '\u{309A}' | '\u{0300}'..='\u{036F}'
    )
}

enum Folding {
    Keep(char),
    /// Between words: spaces and punctuation.
    Separator,
    /// Not there at all for matching: the long vowel mark.
    Drop,
}

fn fold_char(c: char) -> Folding {
    match c {
        // ー (and its 半角 form, which NFKC makes this one); and voicing marks NFKC could
        // not join to the character before them (ｯﾞ).
        'ー' | '\u{3099}' | '\u{309A}' | '゛' | '゜' => Folding::Drop,
        c if c.is_whitespace() => Folding::Separator,
        '・' | '、' | '。' | '「' | '」' | '『' | '』' | '【' | '】' | '〈' | '〉' | '《'
        | '》' | '〔' | '〕' | '〜' | '…' | '‥' => Folding::Separator,
        c if c.is_ascii_punctuation() => Folding::Separator,
        c if c.is_ascii_uppercase() => Folding::Keep(c.to_ascii_lowercase()),
        // カタカナ ァ..ヴ and the iteration marks ヽヾ sit 0x60 above their ひらがな (ヵヶ stay:
        // they are read か, が or こ as often as small か and け).
        '\u{30A1}'..='\u{30F4}' | '\u{30FD}' | '\u{30FE}' => {
            Folding::Keep(large_kana(char::from_u32(c as u32 - 0x60).unwrap_or(c)))
        }
        c => Folding::Keep(large_kana(c)),
    }
}

/// Small kana read as their large forms (きょう matches きよう, ティ matches てい).
fn large_kana(c: char) -> char {
    match c {
        'ぁ' => 'あ',
        'ぃ' => 'い',
        'ぅ' => 'う',
        'ぇ' => 'え',
        'ぉ' => 'お',
        'っ' => 'つ',
        'ゃ' => 'や',
        'ゅ' => 'ゆ',
        'ょ' => 'よ',
        'ゎ' => 'わ',
        'ゕ' => 'か',
        'ゖ' => 'け',
        c => c,
    }
}

/// What a query asks for: its words, folded (every one must match).
pub fn query_terms(query: &str, nfkc: Nfkc<'_>) -> Vec<String> {
    fold(query, nfkc)
        .split(' ')
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

/// How strongly a field speaks for a document: a match in an earlier tier ranks higher.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Tier {
    /// The name and its reading: a match at their start ranks first, at a word's start next.
    Title,
    /// Labels: categories, who runs it, whom it is for.
    Label,
    /// Everything else worth finding: description, when, where.
    Body,
}

/// One searchable field of a document, already folded ([`fold`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// The caller's name for it (to show the match from the original text).
    pub id: u8,
    pub tier: Tier,
    pub folded: String,
}

/// How a term matched, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Strength {
    /// The name or reading starts with it.
    TitleStart,
    /// A word of the name or reading starts with it.
    TitleWord,
    /// The name or reading contains it.
    TitleInside,
    /// A label contains it.
    Label,
    /// The body contains it.
    Body,
}

/// Where a document matched its query's first term: a field and a range of that field's
/// folded text (bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Found {
    pub field: u8,
    pub start: usize,
    pub end: usize,
}

/// A document that matches every term, with how well.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// The document's position in the list searched.
    pub index: usize,
    /// Its weakest term's strength (every term must match; the weakest says most).
    pub weakest: Strength,
    /// The sum of its terms' strengths, to order documents equal in their weakest.
    pub total: u32,
    pub found: Found,
}

/// The best match of `term` in `fields`.
fn best_match(term: &str, fields: &[Field]) -> Option<(Strength, Found)> {
    let mut best: Option<(Strength, Found)> = None;
    for field in fields {
        let Some((start, end)) = find_best_start(term, field) else {
            continue;
        };
        let strength = match field.tier {
            Tier::Title if start == 0 => Strength::TitleStart,
            Tier::Title if field.folded[..start].ends_with(' ') => Strength::TitleWord,
            Tier::Title => Strength::TitleInside,
            Tier::Label => Strength::Label,
            Tier::Body => Strength::Body,
        };
        let found = Found {
            field: field.id,
            start,
            end,
        };
        if best.is_none_or(|(b, _)| strength < b) {
            best = Some((strength, found));
        }
    }
    best
}

/// Where `term` occurs in a field (start and end, bytes of its folded text): at a word's
/// start if it does anywhere, else the first; failing that, across the breaks the name's
/// own punctuation made (居場所「八起き」 typed whole as 居場所八起き, たのも〜お助け隊 as
/// たのもーお助け隊).
fn find_best_start(term: &str, field: &Field) -> Option<(usize, usize)> {
    let text = field.folded.as_str();
    let Some(first) = text.find(term) else {
        // Only names and readings: that is where punctuation splits what people type whole
        // (and it keeps the search as quick as a keystroke needs).
        return (field.tier == Tier::Title)
            .then(|| find_across_breaks(term, text))
            .flatten();
    };
    if first == 0 || text[..first].ends_with(' ') {
        return Some((first, first + term.len()));
    }
    let at_word = text
        .match_indices(term)
        .map(|(at, _)| at)
        .find(|&at| text[..at].ends_with(' '));
    let start = at_word.unwrap_or(first);
    Some((start, start + term.len()))
}

/// `term` in `text` read without its word breaks: where it starts and ends in `text`.
fn find_across_breaks(term: &str, text: &str) -> Option<(usize, usize)> {
    let first_char = term.chars().next()?;
    if !text.contains(' ') || !text.contains(first_char) {
        return None;
    }
    let mut joined = String::with_capacity(text.len());
    // Where each character of `joined` stands in `text`.
    let mut at = Vec::with_capacity(text.len());
    for (i, c) in text.char_indices() {
        if c != ' ' {
            joined.push(c);
            at.push((i, c.len_utf8()));
        }
    }
    let found = joined.find(term)?;
    let first = joined[..found].chars().count();
    let last = first + term.chars().count() - 1;
    let (start, _) = *at.get(first)?;
    let (end, width) = *at.get(last)?;
    Some((start, end + width))
}

/// The documents matching every term, best first; equal ones keep the list's order (give it
/// sorted by reading). No terms: no hits (the caller shows the whole list as it is).
pub fn search(terms: &[String], documents: &[Vec<Field>]) -> Vec<Hit> {
    if terms.is_empty() {
        return Vec::new();
    }
    let mut hits = Vec::new();
    'documents: for (index, fields) in documents.iter().enumerate() {
        let mut weakest = Strength::TitleStart;
        let mut total = 0;
        let mut first_found = None;
        for term in terms {
            let Some((strength, found)) = best_match(term, fields) else {
                continue 'documents;
            };
            weakest = weakest.max(strength);
            total += strength as u32;
            first_found.get_or_insert(found);
        }
        if let Some(found) = first_found {
            hits.push(Hit {
                index,
                weakest,
                total,
                found,
            });
        }
    }
    order::sort_by(&mut hits, |a, b| {
        (a.weakest, a.total, a.index).cmp(&(b.weakest, b.total, b.index))
    });
    hits
}

/// A match shown in the original text: what comes before it (shortened to `context`
/// characters), the matched words as written, and what follows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Excerpt {
    pub before: String,
    pub matched: String,
    pub after: String,
}

/// The part of `original` that the folded range `found` (from [`fold`] of `original`) came
/// from, with up to `context` characters around it.
pub fn excerpt(original: &str, found: Found, context: usize, nfkc: Nfkc<'_>) -> Excerpt {
    let (folded, origins) = fold_with_origins(original, nfkc);
    let chars: Vec<char> = original.chars().collect();
    let char_at = |byte: usize| folded[..byte.min(folded.len())].chars().count();
    let (first, last) = (char_at(found.start), char_at(found.end));
    let from = origins.get(first).copied().unwrap_or(chars.len());
    // The original characters up to (not including) the one after the match's last.
    let to = match origins.get(last) {
        Some(&next) => next.max(from + 1),
        None => chars.len(),
    }
    .min(chars.len());
    let start = from.saturating_sub(context);
    let end = (to + context).min(chars.len());
    let take = |a: usize, b: usize| chars[a..b].iter().collect::<String>();
    let mut before = take(start, from);
    if start > 0 {
        before.insert(0, '…');
    }
    let mut after = take(to, end);
    if end < chars.len() {
        after.push('…');
    }
    Excerpt {
        before,
        matched: take(from, to),
        after,
    }
}

#[cfg(test)]
#[path = "search_tests.rs"]
mod tests;
