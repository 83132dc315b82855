//! `GET /public/resources`: the directory's public entries as a plain page the server
//! writes, readable without signing in, so that the city can link it from its site and
//! anyone can print it (the directory as the newsletter prints it: by category, then
//! city-wide and district by district). Internal entries never appear; nothing personal is
//! in a resource entry to begin with. No script: the page works on any phone or printer.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::IntoResponse;
use mimamori_core::kinds::{Category, ResourcePatch, State as RecordState};
use mimamori_core::record::{Body, DistrictId, RecordKind};

use super::error::ApiResult;
use super::AppState;
use crate::storage::SharedScope;

/// Only the page's own inline style; nothing may run.
const PAGE_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

pub async fn resources_page(State(state): State<AppState>) -> ApiResult<impl IntoResponse> {
    let districts: BTreeMap<i64, String> = state
        .storage
        .list_districts()
        .await?
        .into_iter()
        .map(|d| (d.id, d.name))
        .collect();
    let mut entries: Vec<(Option<DistrictId>, ResourcePatch)> = state
        .storage
        .shared_records(RecordKind::Resource, SharedScope::Everywhere)
        .await?
        .into_iter()
        .filter_map(|record| match record.state {
            state @ RecordState::Resource(_) => match state.current() {
                Some(Body::Resource(entry)) if entry.public == Some(true) => {
                    Some((record.district, entry))
                }
                _ => None,
            },
            _ => None,
        })
        .collect();
    // City-wide first, then districts in the city's order, each by reading.
    entries.sort_by(|(a_district, a), (b_district, b)| {
        (
            a_district.map(|d| d.0),
            a.kana.as_deref().or(a.name.as_deref()),
        )
            .cmp(&(
                b_district.map(|d| d.0),
                b.kana.as_deref().or(b.name.as_deref()),
            ))
    });
    let html = page(&entries, &districts);
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            ),
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(PAGE_POLICY),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        html,
    ))
}

fn page(
    entries: &[(Option<DistrictId>, ResourcePatch)],
    districts: &BTreeMap<i64, String>,
) -> String {
    let mut html = String::from(concat!(
        "<!DOCTYPE html>\n<html lang=\"ja\">\n<head>\n<meta charset=\"utf-8\">\n",
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n",
        "<title>社会資源まとめ｜高崎市 生活支援体制整備事業</title>\n<style>\n",
        "body{font-family:\"Hiragino Sans\",\"Noto Sans JP\",\"Noto Sans CJK JP\",Meiryo,sans-serif;",
        "line-height:1.7;margin:0 auto;max-width:48rem;padding:1rem;color:#222;background:#fff;font-size:1.05rem}",
        "h1{font-size:1.5rem;border-bottom:4px solid #1d6b57;padding-bottom:.3rem}",
        "h2{font-size:1.3rem;background:#1d6b57;color:#fff;padding:.3rem .6rem;margin-top:2rem}",
        "h3{font-size:1.1rem;margin:1.2rem 0 .2rem;color:#1d6b57}",
        "article{border:1px solid #ccc;border-radius:.4rem;padding:.6rem .8rem;margin:.6rem 0;break-inside:avoid}",
        "article h4{font-size:1.15rem;margin:0 0 .3rem}dl{margin:0;display:grid;grid-template-columns:6.5em 1fr;gap:.1rem .6rem}",
        "dt{color:#555}dd{margin:0}p.about{margin:.4rem 0 0}a{color:#1d6b57}",
        "nav ul{padding-left:1.2rem}.checked{color:#555;font-size:.9rem;margin-top:.3rem}",
        "@media print{body{font-size:10.5pt;max-width:none}h2{background:none;color:#000;border-bottom:2px solid #000}",
        "nav{display:none}a{color:#000;text-decoration:none}}\n",
        "</style>\n</head>\n<body>\n<h1>社会資源まとめ</h1>\n",
        "<p>高崎市の生活支援体制整備事業（第2層協議体）がまとめた、暮らしを支える地域の活動と窓口です。",
        "内容は変わることがあります。利用の前に、それぞれの連絡先で確かめてください。</p>\n",
    ));
    let in_category = |category: Category| -> Vec<&(Option<DistrictId>, ResourcePatch)> {
        entries
            .iter()
            .filter(|(_, e)| e.categories.as_ref().is_some_and(|c| c.contains(&category)))
            .collect()
    };
    let present: Vec<Category> = Category::ALL
        .iter()
        .copied()
        .filter(|c| !in_category(*c).is_empty())
        .collect();
    if present.is_empty() {
        html.push_str("<p>公開している社会資源は、まだありません。</p>\n");
    } else {
        html.push_str("<nav aria-label=\"分類\"><ul>\n");
        for category in &present {
            let _ = writeln!(
                html,
                "<li><a href=\"#{}\">{}</a></li>",
                category.code(),
                escape(category.label_ja())
            );
        }
        html.push_str("</ul></nav>\n");
    }
    for category in present {
        let _ = writeln!(
            html,
            "<section id=\"{}\">\n<h2>{}</h2>",
            category.code(),
            escape(category.label_ja())
        );
        let mut place: Option<Option<DistrictId>> = None;
        for (district, entry) in in_category(category) {
            if place != Some(*district) {
                place = Some(*district);
                let heading = match district {
                    None => "市内全域".to_owned(),
                    Some(d) => format!(
                        "{}地区",
                        districts.get(&d.0).map(String::as_str).unwrap_or("")
                    ),
                };
                let _ = writeln!(html, "<h3>{}</h3>", escape(&heading));
            }
            article(&mut html, entry);
        }
        html.push_str("</section>\n");
    }
    html.push_str("<p>発行：高崎市 生活支援体制整備事業（見守り手帳）</p>\n</body>\n</html>\n");
    html
}

fn article(html: &mut String, entry: &ResourcePatch) {
    let _ = writeln!(
        html,
        "<article>\n<h4>{}</h4>",
        escape(entry.name.as_deref().unwrap_or(""))
    );
    let yes_no = |value: Option<bool>, yes: &'static str, no: &'static str| {
        value.map(|v| if v { yes } else { no }.to_owned())
    };
    let facts: [(&str, Option<String>); 9] = [
        ("運営", entry.operator.clone()),
        ("とき", entry.when.clone()),
        ("ところ", entry.address.clone()),
        ("対象", entry.audience.clone()),
        ("定員", entry.capacity.clone()),
        ("費用", entry.fee.clone()),
        ("申込み", yes_no(entry.apply_first, "必要", "不要")),
        ("送迎", yes_no(entry.pickup, "あり", "なし")),
        ("バリアフリー", yes_no(entry.barrier_free, "あり", "なし")),
    ];
    html.push_str("<dl>\n");
    for (label, value) in facts {
        if let Some(value) = value.filter(|v| !v.trim().is_empty()) {
            let _ = writeln!(html, "<dt>{label}</dt><dd>{}</dd>", escape(&value));
        }
    }
    if let Some(phone) = entry.phone.as_deref().filter(|p| !p.is_empty()) {
        let dial: String = phone
            .chars()
            .filter(|c| c.is_ascii_digit() || *c == '+')
            .collect();
        let _ = writeln!(
            html,
            "<dt>電話</dt><dd><a href=\"tel:{}\">{}</a></dd>",
            escape(&dial),
            escape(phone)
        );
    }
    html.push_str("</dl>\n");
    if let Some(about) = entry.description.as_deref().filter(|d| !d.is_empty()) {
        let _ = writeln!(html, "<p class=\"about\">{}</p>", escape(about));
    }
    if let Some(checked) = entry.checked_on {
        let _ = writeln!(
            html,
            "<p class=\"checked\">{}年{}月{}日に確認</p>",
            checked.year, checked.month, checked.day
        );
    }
    html.push_str("</article>\n");
}

/// Text as HTML: what an SC typed can never become markup.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
