//! Closed vocabularies: a fixed list of choices, each with a stable code that is stored and
//! sent, and the Japanese a volunteer reads. Any kind's file declares its own with
//! [`labelled_enum!`].

/// Declares an enum whose variants have a stable code (serde's name) and a Japanese label,
/// with `ALL` in the order the screen shows them.
macro_rules! labelled_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident => $code:literal, $label:literal;)+ }) => {
        $(#[$doc])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash,
            serde::Serialize, serde::Deserialize,
        )]
        pub enum $name {
            $(#[serde(rename = $code)] $variant,)+
        }

        impl $name {
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The stable code stored and sent.
            pub fn code(self) -> &'static str {
                match self { $(Self::$variant => $code,)+ }
            }

            /// What the volunteer reads.
            pub fn label_ja(self) -> &'static str {
                match self { $(Self::$variant => $label,)+ }
            }
        }
    };
}

pub(crate) use labelled_enum;
