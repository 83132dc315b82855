//! Large values kept in IndexedDB as JSON text rather than as nested objects.
//!
//! Turning a nested Rust value into JavaScript objects costs a call across the wasm
//! boundary per field, and IndexedDB's structured clone then walks every object again; a
//! string crosses once and clones as one block. Only fields that indexes never look into
//! are stored this way. Reading accepts both forms, so records written as objects by
//! earlier versions of the app still read.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Deserialize)]
#[serde(untagged)]
enum TextOrValue<T> {
    Text(String),
    Value(T),
}

pub fn serialize<T: Serialize, S: Serializer>(value: &T, serializer: S) -> Result<S::Ok, S::Error> {
    let text = serde_json::to_string(value).map_err(serde::ser::Error::custom)?;
    serializer.serialize_str(&text)
}

pub fn deserialize<'de, T: DeserializeOwned, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<T, D::Error> {
    match TextOrValue::<T>::deserialize(deserializer)? {
        TextOrValue::Text(text) => serde_json::from_str(&text).map_err(serde::de::Error::custom),
        TextOrValue::Value(value) => Ok(value),
    }
}
