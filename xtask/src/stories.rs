//! `tests/e2e/STORIES.md` is the end-to-end tests' table of contents: every story, and the test
//! that proves it. This keeps the two in step: a story whose test is gone, or a test no story
//! names, fails `cargo xtask test` (through `cargo test --workspace`).

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use crate::root;

    /// `file::test` for every `#[tokio::test]` in `tests/e2e/`.
    fn tests_written() -> BTreeSet<String> {
        let folder = root().join("tests").join("e2e");
        let mut found = BTreeSet::new();
        for entry in std::fs::read_dir(&folder).expect("tests/e2e") {
            let path = entry.expect("a file").path();
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let module = path.file_stem().unwrap().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(&path).expect("a test file");
            let mut lines = text.lines();
            while let Some(line) = lines.next() {
                if line.trim() != "#[tokio::test]" {
                    continue;
                }
                let name = lines
                    .next()
                    .and_then(|l| l.trim().strip_prefix("async fn "))
                    .and_then(|l| l.split('(').next())
                    .expect("a test function after #[tokio::test]");
                found.insert(format!("{module}::{name}"));
            }
        }
        found
    }

    /// `file::test` for every story line of STORIES.md (`- story — `file::test``).
    fn tests_named() -> BTreeSet<String> {
        let text =
            std::fs::read_to_string(root().join("tests/e2e/STORIES.md")).expect("STORIES.md");
        text.lines()
            .filter(|l| l.starts_with("- "))
            .map(|l| {
                let (_, test) = l
                    .rsplit_once(" — ")
                    .expect("a story names its test after —");
                test.trim().trim_matches('`').to_owned()
            })
            .collect()
    }

    #[test]
    fn every_story_has_its_test_and_every_test_its_story() {
        let written = tests_written();
        let named = tests_named();
        let missing: Vec<_> = named.difference(&written).collect();
        let untold: Vec<_> = written.difference(&named).collect();
        assert!(
            missing.is_empty(),
            "stories whose test is gone: {missing:?}"
        );
        assert!(
            untold.is_empty(),
            "tests no story in STORIES.md names: {untold:?}"
        );
        assert!(
            written.len() >= 40,
            "the suite was found: {}",
            written.len()
        );
    }
}
