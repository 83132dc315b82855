//! Settings a volunteer changes on their own phone. They never leave the device.

use serde::{Deserialize, Serialize};

/// Base text size. Large is for people who hold the phone at arm's length.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TextSize {
    #[default]
    Normal,
    Large,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DeviceSettings {
    pub text_size: TextSize,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_saved_by_an_older_app_still_load() {
        // Fields added later must default, or an update would reset a user's choices.
        let settings: DeviceSettings = serde_json::from_str("{}").unwrap();
        assert_eq!(settings, DeviceSettings::default());
        let large: DeviceSettings = serde_json::from_str(r#"{"text_size":"large"}"#).unwrap();
        assert_eq!(large.text_size, TextSize::Large);
    }
}
