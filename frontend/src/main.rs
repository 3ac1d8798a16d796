//! Entry point of the wasm bundle.

fn main() {
    owlcms_tracker_web::start();
}
