//! Requests into one transaction, issued together and answered in order.
//!
//! Waiting for each request before making the next costs a task hop and a trip to the
//! browser's storage process per request: a third of a millisecond on a fast machine, far
//! more on a cheap phone. IndexedDB runs a transaction's requests in the order they were
//! made, so a save or a pulled page issues all its reads at once, then all its writes and
//! the commit at once. Every request is boxed as the same type so that one small piece of
//! code waits for any mix of them: joining each combination of futures with `futures`'
//! macros compiled to kilobytes of wasm per call site.

use std::future::Future;
use std::pin::Pin;
use std::task::Poll;

use wasm_bindgen::JsValue;

use super::StoreError;

/// A request into a transaction; its answer is a value, `undefined` for none, or an array.
pub(crate) type Request<'a> = Pin<Box<dyn Future<Output = Result<JsValue, StoreError>> + 'a>>;

/// The value under `key`, `undefined` if there is none.
pub(crate) fn get<'a>(store: &'a rexie::Store, key: &str) -> Request<'a> {
    let key = JsValue::from_str(key);
    Box::pin(async move { Ok(store.get(key).await?.unwrap_or(JsValue::UNDEFINED)) })
}

/// The values of `index` in `range`, as an array.
pub(crate) fn get_all<'a>(index: rexie::StoreIndex, range: rexie::KeyRange) -> Request<'a> {
    Box::pin(async move {
        let values = index.get_all(Some(range), None).await?;
        Ok(values.into_iter().collect::<js_sys::Array>().into())
    })
}

/// How many values `store` holds (in `range`).
pub(crate) fn count(store: &rexie::Store, range: Option<rexie::KeyRange>) -> Request<'_> {
    Box::pin(async move { Ok(JsValue::from(store.count(range).await?)) })
}

/// Adds or replaces `value` (under `key`, for a store without a key path).
pub(crate) fn put<'a>(
    store: &'a rexie::Store,
    value: JsValue,
    key: Option<JsValue>,
) -> Request<'a> {
    Box::pin(async move { store.put(&value, key.as_ref()).await.map_err(Into::into) })
}

/// Adds or replaces many values (stores with a key path): only the last is listened to,
/// since the ones before it are done when it is (an answer per value costs a call from the
/// browser into the app each: a pulled page is 500).
pub(crate) fn put_all(store: &rexie::Store, values: Vec<JsValue>) -> Request<'_> {
    Box::pin(async move {
        store
            .put_all(values.into_iter().map(|value| (value, None)))
            .await?;
        Ok(JsValue::UNDEFINED)
    })
}

/// Removes the value under `key` (or every value in a key range).
pub(crate) fn delete<'a>(store: &'a rexie::Store, key: JsValue) -> Request<'a> {
    Box::pin(async move {
        store.delete(key).await?;
        Ok(JsValue::UNDEFINED)
    })
}

/// The values of an array answer (see [`get_all`]).
pub(crate) fn values(answer: &JsValue) -> impl Iterator<Item = JsValue> {
    js_sys::Array::from(answer).into_iter()
}

/// Issues every request (a request is sent when it is first polled), keeping the answers
/// that are already there.
async fn issue(requests: &mut [Request<'_>]) -> Result<Vec<Option<JsValue>>, StoreError> {
    let mut answers = Vec::with_capacity(requests.len());
    for request in requests.iter_mut() {
        answers.push(match futures::poll!(request.as_mut()) {
            Poll::Ready(answer) => Some(answer?),
            Poll::Pending => None,
        });
    }
    Ok(answers)
}

/// Waits for the answers not yet there, in order: by the time the last is answered, so
/// are the ones before it, so this wakes about once.
async fn answered(
    requests: &mut [Request<'_>],
    answers: Vec<Option<JsValue>>,
) -> Result<Vec<JsValue>, StoreError> {
    let mut all = Vec::with_capacity(answers.len());
    for (request, answer) in requests.iter_mut().zip(answers) {
        all.push(match answer {
            Some(answer) => answer,
            None => request.await?,
        });
    }
    Ok(all)
}

/// Issues every request at once and returns their answers, in order.
pub(crate) async fn all(mut requests: Vec<Request<'_>>) -> Result<Vec<JsValue>, StoreError> {
    let answers = issue(&mut requests).await?;
    answered(&mut requests, answers).await
}

/// Issues `writes` into `tx` and ends it: the transaction commits as soon as the last write
/// is done (`IDBTransaction.commit()`, where the browser has it), instead of one wait for
/// the writes and another for the browser to notice that nothing else is coming. A write
/// that cannot even be issued aborts the transaction: nothing of it is kept.
pub(crate) async fn write_and_commit(
    tx: rexie::Transaction,
    mut writes: Vec<Request<'_>>,
) -> Result<(), StoreError> {
    let answers = match issue(&mut writes).await {
        Ok(answers) => answers,
        Err(error) => {
            tx.abort().await.ok();
            return Err(error);
        }
    };
    if has_commit() {
        let mut commit = std::pin::pin!(tx.commit());
        // The first poll tells the transaction that nothing more is coming.
        if let Poll::Ready(committed) = futures::poll!(commit.as_mut()) {
            answered(&mut writes, answers).await?;
            return Ok(committed?);
        }
        answered(&mut writes, answers).await?;
        commit.await?;
    } else {
        answered(&mut writes, answers).await?;
        if !tx.done().await?.is_committed() {
            return Err(StoreError::Other("the transaction was aborted".into()));
        }
    }
    Ok(())
}

/// Whether this browser's transactions can be told to commit (Safari before 15 could not).
fn has_commit() -> bool {
    thread_local! {
        static HAS_COMMIT: bool = {
            let global = js_sys::global();
            js_sys::Reflect::get(&global, &JsValue::from_str("IDBTransaction"))
                .and_then(|class| js_sys::Reflect::get(&class, &JsValue::from_str("prototype")))
                .and_then(|prototype| js_sys::Reflect::has(&prototype, &JsValue::from_str("commit")))
                .unwrap_or(false)
        };
    }
    HAS_COMMIT.with(|has| *has)
}
