//! Parts of a screen that change with a signal, drawn through one closure type for the
//! whole app. Leptos compiles the machinery behind a reactive view (its render effect, its
//! `Show`'s children and memo) once for every closure type: tens of sites made tens of
//! copies. Boxing each site's closure behind these two functions keeps one copy, and each
//! site pays only for its own closure.

use std::rc::Rc;

use leptos::prelude::*;

/// What `view` draws, drawn again whenever a signal it reads changes.
pub fn dynamic(view: impl Fn() -> AnyView + 'static) -> AnyView {
    erased_dynamic(Rc::new(view))
}

fn erased_dynamic(view: Rc<dyn Fn() -> AnyView>) -> AnyView {
    // Single-threaded wasm: the closures never leave this thread.
    let view = send_wrapper::SendWrapper::new(view);
    (move || view()).into_any()
}

/// `view` while `when` holds (like `<Show>`): drawn afresh only when `when` changes, never
/// for a change of what `view` itself reads while it is shown.
pub fn shown_when(
    when: impl Fn() -> bool + 'static,
    view: impl Fn() -> AnyView + 'static,
) -> AnyView {
    either(Rc::new(when), Rc::new(view), Rc::new(|| ().into_any()))
}

/// `view` while `when` holds, else `otherwise` (like `<Show>` with a fallback).
pub fn shown_when_else(
    when: impl Fn() -> bool + 'static,
    view: impl Fn() -> AnyView + 'static,
    otherwise: impl Fn() -> AnyView + 'static,
) -> AnyView {
    either(Rc::new(when), Rc::new(view), Rc::new(otherwise))
}

type Draw = Rc<dyn Fn() -> AnyView>;

fn either(when: Rc<dyn Fn() -> bool>, view: Draw, otherwise: Draw) -> AnyView {
    // Single-threaded wasm: the closures never leave this thread.
    let when = send_wrapper::SendWrapper::new(when);
    let drawn = send_wrapper::SendWrapper::new((view, otherwise));
    let shown = Memo::new(move |_| when());
    (move || {
        let (view, otherwise) = &*drawn;
        if shown.get() {
            untrack(|| view())
        } else {
            untrack(|| otherwise())
        }
    })
    .into_any()
}
