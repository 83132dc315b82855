//! The PWA's entry point; `trunk build` turns it into the app's wasm.

fn main() {
    #[cfg(target_arch = "wasm32")]
    mimamori::start();
}
