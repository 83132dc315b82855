//! Large values kept in IndexedDB as JSON text rather than as nested objects.
//!
//! Turning a nested Rust value into JavaScript objects costs a call across the wasm
//! boundary per field, and IndexedDB's structured clone then walks every object again; a
//! string crosses once and clones as one block. Only fields that indexes never look into
//! are stored this way. Reading accepts both forms, so records written as objects by
//! earlier versions of the app still read: an object is read as a `serde_json::Value` first
//! (one reader for every type, where serde's untagged enum would buffer each type its own way).

use std::fmt;
use std::marker::PhantomData;

use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
use serde::de::{DeserializeOwned, Error as _, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

pub fn serialize<T: Serialize, S: Serializer>(value: &T, serializer: S) -> Result<S::Ok, S::Error> {
    let text = serde_json::to_string(value).map_err(serde::ser::Error::custom)?;
    serializer.serialize_str(&text)
}

pub fn deserialize<'de, T: DeserializeOwned, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<T, D::Error> {
    deserializer.deserialize_any(TextOrValue(PhantomData))
}

struct TextOrValue<T>(PhantomData<T>);

impl<'de, T: DeserializeOwned> Visitor<'de> for TextOrValue<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("JSON text, or the value itself")
    }

    fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<T, E> {
        serde_json::from_str(text).map_err(E::custom)
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<T, E> {
        serde_json::from_value(Value::Null).map_err(E::custom)
    }

    fn visit_none<E: serde::de::Error>(self) -> Result<T, E> {
        self.visit_unit()
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        let value = Value::deserialize(MapAccessDeserializer::new(map))?;
        serde_json::from_value(value).map_err(A::Error::custom)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<T, A::Error> {
        let value = Value::deserialize(SeqAccessDeserializer::new(seq))?;
        serde_json::from_value(value).map_err(A::Error::custom)
    }
}
