//! Who is signed in on this phone, when sync last succeeded, and erasing the user's data.

use rexie::TransactionMode;
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsValue;

use super::{
    from_js, to_js, Store, StoreError, DRAFTS, LATEST, OUTBOX, QUARANTINE, RECORDS, SYNC_META,
};

pub(super) const SESSION_KEY: &str = "session";

/// Who is signed in on this phone, with the token the server issued (shown once).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub token: String,
    pub me: mimamori_core::api::Me,
    /// The names of the user's districts, read at sign-in so that a choice of district
    /// can be offered with no signal.
    #[serde(default)]
    pub districts: Vec<mimamori_core::api::District>,
    /// The people of those districts, read at sign-in and after each sync, so that a visit
    /// says who made it and a follow-up can be handed to someone with no signal.
    #[serde(default)]
    pub people: Vec<mimamori_core::api::Person>,
    /// Every district's name (public), read at sign-in, to say where another district's
    /// salon is.
    #[serde(default)]
    pub all_districts: Vec<mimamori_core::api::District>,
}

impl Session {
    /// The name of `user` as the district knows them (`None` for someone not on the list).
    pub fn name_of(&self, user: mimamori_core::record::UserId) -> Option<&str> {
        if user == self.me.user_id {
            return Some(&self.me.display_name);
        }
        self.people
            .iter()
            .find(|p| p.user_id == user)
            .map(|p| p.display_name.as_str())
    }
}

impl Store {
    pub async fn session(&self) -> Result<Option<Session>, StoreError> {
        match self.get(SYNC_META, SESSION_KEY).await? {
            Some(value) => Ok(from_js(value).ok()),
            None => Ok(None),
        }
    }

    pub async fn save_session(&self, session: &Session) -> Result<(), StoreError> {
        self.put(
            SYNC_META,
            &to_js(session)?,
            Some(&JsValue::from_str(SESSION_KEY)),
        )
        .await
    }

    /// Keeps the district's people in the session, unless the session holding `token` has
    /// ended meanwhile.
    pub async fn save_people(
        &self,
        token: &str,
        people: Vec<mimamori_core::api::Person>,
    ) -> Result<(), StoreError> {
        let tx = self
            .db
            .transaction(&[SYNC_META], TransactionMode::ReadWrite)?;
        let meta = tx.store(SYNC_META)?;
        if let Some(value) = meta
            .get(JsValue::from_str(SESSION_KEY))
            .await?
            .filter(|v| !v.is_undefined())
        {
            let mut session: Session = from_js(value)?;
            if session.token == token && session.people != people {
                session.people = people;
                meta.put(&to_js(&session)?, Some(&JsValue::from_str(SESSION_KEY)))
                    .await?;
            }
        }
        tx.done().await?;
        Ok(())
    }

    pub async fn save_last_success(&self, at_ms: f64) -> Result<(), StoreError> {
        self.put(
            SYNC_META,
            &JsValue::from_f64(at_ms),
            Some(&JsValue::from_str(super::LAST_SYNC_KEY)),
        )
        .await
    }
}

/// Whether a stored session is the one signed in with `token`.
pub(super) fn holds_token(session: &JsValue, token: &str) -> bool {
    js_sys::Reflect::get(session, &JsValue::from_str("token"))
        .ok()
        .and_then(|t| t.as_string())
        .is_some_and(|t| t == token)
}

impl Store {
    /// Erases everything of the signed-in user (a revoked device): records, what waits, what
    /// was refused, the latest visits, drafts; settings stay.
    pub async fn wipe_user_data(&self) -> Result<(), StoreError> {
        let stores = [RECORDS, OUTBOX, QUARANTINE, SYNC_META, LATEST, DRAFTS];
        let tx = self.db.transaction(&stores, TransactionMode::ReadWrite)?;
        for store in stores {
            tx.store(store)?.clear().await?;
        }
        tx.done().await?;
        Ok(())
    }
}
