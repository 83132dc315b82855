//! Takasaki's 26 第2層協議体, in the order the city's newsletter lists them. The server loads
//! them as demo data; the names are also what a volunteer expects to see verbatim.

pub const TAKASAKI_DISTRICTS: [&str; 26] = [
    "乗附",
    "片岡",
    "寺尾・城山",
    "佐野",
    "中居・矢中",
    "滝川・京ヶ島",
    "大類",
    "岩鼻",
    "群馬なのはな",
    "群馬さくら",
    "榛名",
    "倉淵",
    "箕郷",
    "中央・南・城南",
    "北・東・西",
    "新高尾・中川",
    "塚沢・浜尻",
    "城東・東部",
    "八幡",
    "豊岡",
    "長野",
    "六郷・北部",
    "南八幡",
    "吉井",
    "倉賀野",
    "新町",
];

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn there_are_26_distinct_districts() {
        let unique: HashSet<_> = TAKASAKI_DISTRICTS.iter().collect();
        assert_eq!(unique.len(), 26);
        assert!(TAKASAKI_DISTRICTS
            .iter()
            .all(|name| !name.trim().is_empty()));
    }
}
