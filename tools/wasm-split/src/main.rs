//! Splits the browser WASM at its lazy routes, as `cargo leptos build --split` does:
//! `wasm-split INPUT.wasm PKG_DIR MAIN_OUT.wasm NAME`.
//!
//! The chunks and their loader go to `PKG_DIR`; the main module goes to `MAIN_OUT.wasm`, for
//! wasm-bindgen to finish as `NAME.js` / `NAME_bg.wasm`; which chunks each split point needs
//! goes to `PKG_DIR/__wasm_split_manifest.json`, which the server reads to preload them.

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("wasm-split: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input, pkg, main_out, name] = args.as_slice() else {
        return Err("usage: wasm-split INPUT.wasm PKG_DIR MAIN_OUT.wasm NAME".into());
    };
    let bytes = std::fs::read(input).map_err(|e| format!("reading {input}: {e}"))?;
    let pkg = PathBuf::from(pkg);
    let main_out = PathBuf::from(main_out);
    let main_module = format!("./{name}.js");
    let mut options = wasm_split_cli_support::Options::new(&bytes);
    options.output_dir = &pkg;
    options.main_out_path = &main_out;
    options.main_module = &main_module;
    options.link_name = "./__wasm_split.______________________.js";
    let split = wasm_split_cli_support::transform(options).map_err(|e| e.to_string())?;
    let manifest = serde_json::to_string(&split.prefetch_map).map_err(|e| e.to_string())?;
    let path = pkg.join("__wasm_split_manifest.json");
    std::fs::write(&path, manifest).map_err(|e| format!("writing {}: {e}", path.display()))?;
    Ok(())
}
