//! What the SPA asks of the browser beyond drawing: its clock and time zone (chrono has no
//! clock to read on wasm32, so `Utc::now()` would panic there) and saving bytes as a file.
//! It must not do HTTP: that is `crate::api`'s alone.

use wasm_bindgen::JsCast;

/// Now, from the browser's clock.
pub fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp_millis(js_sys::Date::now() as i64).unwrap_or_default()
}

/// The viewer's time zone, from the browser.
pub fn local_zone() -> chrono::FixedOffset {
    let minutes_west = js_sys::Date::new_0().get_timezone_offset();
    chrono::FixedOffset::west_opt((minutes_west * 60.0) as i32)
        .unwrap_or_else(|| chrono::Offset::fix(&chrono::Utc))
}

/// Saves `bytes` as a file named `name` through a temporary object URL (downloads that need
/// the bearer token cannot be plain links).
pub fn download(name: &str, mime: &str, bytes: &[u8]) -> Result<(), wasm_bindgen::JsValue> {
    let array = js_sys::Uint8Array::from(bytes);
    let parts = js_sys::Array::of1(&array);
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| wasm_bindgen::JsValue::from_str("no document"))?;
    let anchor: web_sys::HtmlAnchorElement = document.create_element("a")?.dyn_into()?;
    anchor.set_href(&url);
    anchor.set_download(name);
    anchor.click();
    web_sys::Url::revoke_object_url(&url)?;
    Ok(())
}
