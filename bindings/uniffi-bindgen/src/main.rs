//! `uniffi-bindgen`, built from the same pinned uniffi as `smart-enroll-ffi` so the generated
//! bindings always match the scaffolding. Run it through `scripts/gen-bindings.sh`.

fn main() {
    uniffi::uniffi_bindgen_main()
}
