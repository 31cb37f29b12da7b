//! Performance marks the browser tests read: sign-in to first directory render.

/// Records a mark on the page's Performance timeline.
pub fn mark(name: &str) {
    if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
        let _ = performance.mark(name);
    }
}

/// Records `name` as the time from mark `start` to now, once per page load; nothing when
/// `start` was never marked (a reload straight into the directory).
pub fn measure_since(name: &str, start: &str) {
    let Some(performance) = web_sys::window().and_then(|w| w.performance()) else {
        return;
    };
    if performance.get_entries_by_name(name).length() > 0
        || performance.get_entries_by_name(start).length() == 0
    {
        return;
    }
    let _ = performance.measure_with_start_mark(name, start);
}
