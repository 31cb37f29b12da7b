//! A list the server hands out a page at a time (`items` and `next_cursor`): the rows loaded so
//! far, the cursor of the page after them, and the "Show more" button that fetches it and adds
//! it to the end. Every history and queue keeps its list in a [`Paged`].
//!
//! It only holds, replaces and extends. When a first page is asked for, and whether its answer
//! is still wanted (a newer question may have been asked meanwhile), stays with each page; so
//! does anything a page knows beyond the rows (a total, a selection).

use leptos::prelude::*;
use leptos::task::spawn_local;
use tenure_api_types::{
    DuplicateCluster, DuplicateClusterList, DuplicatePairList, DuplicatePairView, ImportJobList,
    ImportJobView, MergeList, MergeView,
};

use crate::api::ApiError;
use crate::components::Spinner;

/// One page of a list as the API answers it.
pub trait Page: 'static {
    type Item: Send + Sync + 'static;

    /// The page's rows and the cursor of the next page (`None` after the last).
    fn into_parts(self) -> (Vec<Self::Item>, Option<String>);
}

macro_rules! pages {
    ($($list:ty => $item:ty),* $(,)?) => {$(
        impl Page for $list {
            type Item = $item;

            fn into_parts(self) -> (Vec<$item>, Option<String>) {
                (self.items, self.next_cursor)
            }
        }
    )*};
}

pages! {
    DuplicatePairList => DuplicatePairView,
    DuplicateClusterList => DuplicateCluster,
    MergeList => MergeView,
    ImportJobList => ImportJobView,
}

/// The rows of a paged list loaded so far: `None` until the first page comes, the error of the
/// last page that failed.
pub struct Paged<T: Send + Sync + 'static> {
    pub rows: RwSignal<Option<Result<Vec<T>, ApiError>>>,
    next: RwSignal<Option<String>>,
    loading_more: RwSignal<bool>,
    version: RwSignal<u32>,
}

// Not derived: the derive would ask `T: Copy`, and the rows never are.
impl<T: Send + Sync + 'static> Clone for Paged<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Send + Sync + 'static> Copy for Paged<T> {}

impl<T: Send + Sync + 'static> Default for Paged<T> {
    fn default() -> Self {
        Paged::new()
    }
}

impl<T: Send + Sync + 'static> Paged<T> {
    pub fn new() -> Paged<T> {
        Paged {
            rows: RwSignal::new(None),
            next: RwSignal::new(None),
            loading_more: RwSignal::new(false),
            version: RwSignal::new(0),
        }
    }

    /// Makes the running effect (the one that loads the first page) run again on [`refresh`].
    ///
    /// [`refresh`]: Paged::refresh
    pub fn track(&self) {
        self.version.track();
    }

    /// Asks every effect that [`track`](Paged::track)s this list to load its first page again.
    pub fn refresh(&self) {
        self.version.update(|v| *v += 1);
    }

    /// Shows a first page (or why it failed) in place of the rows loaded before.
    pub fn show_first<P: Page<Item = T>>(&self, result: Result<P, ApiError>) {
        match result {
            Ok(page) => {
                let (items, next) = page.into_parts();
                self.next.try_set(next);
                self.rows.try_set(Some(Ok(items)));
            }
            Err(e) => drop(self.rows.try_set(Some(Err(e)))),
        }
    }

    /// Fetches the first page in the background and shows it when it comes, however late.
    pub fn first_page<P, F>(self, fetch: F)
    where
        P: Page<Item = T>,
        F: Future<Output = Result<P, ApiError>> + 'static,
    {
        spawn_local(async move { self.show_first(fetch.await) });
    }

    /// Fetches the page after the rows loaded (`fetch` gets its cursor) and adds it to the end;
    /// nothing when the last page is loaded. A failure takes the rows' place.
    pub fn load_more<P, F, Fut>(self, fetch: F)
    where
        P: Page<Item = T>,
        F: FnOnce(String) -> Fut,
        Fut: Future<Output = Result<P, ApiError>> + 'static,
    {
        let Some(cursor) = self.next.get_untracked() else {
            return;
        };
        let page = fetch(cursor);
        self.loading_more.set(true);
        spawn_local(async move {
            match page.await {
                Ok(page) => {
                    let (items, next) = page.into_parts();
                    self.next.try_set(next);
                    self.rows.try_update(|rows| {
                        if let Some(Ok(rows)) = rows {
                            rows.extend(items);
                        }
                    });
                }
                Err(e) => drop(self.rows.try_set(Some(Err(e)))),
            }
            self.loading_more.try_set(false);
        });
    }

    /// Whether a page follows the rows loaded.
    pub fn has_more(&self) -> bool {
        self.next.with(Option::is_some)
    }

    /// The rows loaded (none while loading or after a failure).
    pub fn loaded(&self) -> Vec<T>
    where
        T: Clone,
    {
        self.rows
            .with(|r| r.as_ref().and_then(|r| r.as_ref().ok()).cloned())
            .unwrap_or_default()
    }
}

/// The button under a paged list that loads the next page (`on_more` calls
/// [`Paged::load_more`]); shown while there is one, busy while it comes.
#[component]
pub fn ShowMore<T: Send + Sync + 'static>(
    pages: Paged<T>,
    label: &'static str,
    #[prop(into)] on_more: Callback<()>,
) -> impl IntoView {
    view! {
        <Show when=move || pages.has_more()>
            <div class="history-more">
                <button type="button" class="btn" on:click=move |_| on_more.run(())
                    disabled=move || pages.loading_more.get()>
                    {move || pages.loading_more.get().then(|| view! { <Spinner/> })}
                    {label}
                </button>
            </div>
        </Show>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Words(Vec<String>, Option<String>);

    impl Page for Words {
        type Item = String;

        fn into_parts(self) -> (Vec<String>, Option<String>) {
            (self.0, self.1)
        }
    }

    fn page(items: &[&str], next: Option<&str>) -> Result<Words, ApiError> {
        Ok(Words(
            items.iter().map(|s| (*s).to_owned()).collect(),
            next.map(str::to_owned),
        ))
    }

    #[test]
    fn a_first_page_replaces_the_rows_and_says_whether_more_follow() {
        let paged = Paged::<String>::new();
        assert_eq!(paged.rows.get_untracked(), None);
        paged.show_first(page(&["a", "b"], Some("c2")));
        assert_eq!(paged.loaded(), ["a", "b"]);
        assert!(paged.has_more());
        paged.show_first(page(&["z"], None));
        assert_eq!(paged.loaded(), ["z"]);
        assert!(!paged.has_more());
    }

    #[test]
    fn a_failed_first_page_takes_the_rows_place() {
        let paged = Paged::<String>::new();
        paged.show_first(page(&["a"], None));
        let error = ApiError {
            status: 500,
            code: "internal".to_owned(),
            title: "Something went wrong".to_owned(),
            detail: None,
            errors: Vec::new(),
        };
        paged.show_first::<Words>(Err(error.clone()));
        assert_eq!(paged.rows.get_untracked(), Some(Err(error)));
        assert!(paged.loaded().is_empty());
    }
}
