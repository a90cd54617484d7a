//! What a [`crate::Session`] keeps from one build for the next, with a copy
//! of each value made ahead, on another thread, while the author writes:
//! a build hands out the copy (the stages after take their input by value)
//! without copying then.

use std::sync::Arc;
use std::thread::JoinHandle;

/// A value kept for the next build, and maybe a copy of it to hand out.
pub(crate) struct Kept<T> {
    master: Arc<T>,
    spare: Option<T>,
}

impl<T: Clone + Send + Sync + 'static> Kept<T> {
    /// Keeps a copy of `value`.
    pub fn new(value: &T) -> Kept<T> {
        Kept::of(value.clone())
    }

    /// Keeps `value`.
    pub fn of(value: T) -> Kept<T> {
        Kept {
            master: Arc::new(value),
            spare: None,
        }
    }

    /// A copy to use: the one made ahead, or one made now.
    pub fn take(&mut self) -> T {
        self.spare.take().unwrap_or_else(|| T::clone(&self.master))
    }
}

/// Copies of kept values being made on another thread (see
/// [`Copying::start`]).
pub(crate) struct Copying<T>(Option<JoinHandle<Vec<Option<T>>>>);

impl<T> Default for Copying<T> {
    fn default() -> Self {
        Copying(None)
    }
}

impl<T: Clone + Send + Sync + 'static> Copying<T> {
    /// Starts copying, on another thread, each of `kept` that has no copy
    /// yet; `garbage` is freed there first. [`Copying::finish`] takes the
    /// copies with the same values in the same order.
    pub fn start<'a>(
        kept: impl Iterator<Item = Option<&'a Kept<T>>>,
        garbage: Vec<Box<dyn Send>>,
    ) -> Copying<T> {
        let masters: Vec<Option<Arc<T>>> = kept
            .map(|k| {
                k.filter(|k| k.spare.is_none())
                    .map(|k| Arc::clone(&k.master))
            })
            .collect();
        Copying(
            std::thread::Builder::new()
                .name("copies".into())
                .spawn(move || {
                    drop(garbage);
                    masters.iter().map(|m| m.as_deref().cloned()).collect()
                })
                .ok(),
        )
    }

    /// Waits for the copies and gives them to `kept` (the values
    /// [`Copying::start`] was given, in the same order).
    pub fn finish<'a>(&mut self, kept: impl Iterator<Item = Option<&'a mut Kept<T>>>) {
        let Some(copying) = self.0.take() else {
            return;
        };
        // A panic while copying is a bug; pass it on as one.
        let copies = copying
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e));
        for (k, copy) in kept.zip(copies) {
            if let (Some(k), Some(copy)) = (k, copy) {
                k.spare = Some(copy);
            }
        }
    }
}
