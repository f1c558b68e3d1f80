//! Time as the caller tells it.
//!
//! The core never reads a clock. Every input that can start or end a deadline takes a
//! [`Timestamp`]: a point on a monotonic timeline whose zero the caller chose (typically the moment
//! its runtime started). Adapters turn their runtime's instant into one with
//! [`Timestamp::from_duration`]`(start.elapsed())`.

use core::ops::{Add, Sub};
use core::time::Duration;

/// A point in time, as the time elapsed since an epoch the caller chose.
///
/// ```
/// use core::time::Duration;
/// use sansock_core::Timestamp;
/// let t = Timestamp::from_millis(1_500);
/// assert_eq!(t + Duration::from_millis(500), Timestamp::from_millis(2_000));
/// assert_eq!(Timestamp::from_millis(2_000) - t, Duration::from_millis(500));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timestamp(Duration);

impl Timestamp {
    /// The caller's epoch.
    pub const ZERO: Timestamp = Timestamp(Duration::ZERO);

    /// The instant `elapsed` after the caller's epoch.
    pub const fn from_duration(elapsed: Duration) -> Self {
        Timestamp(elapsed)
    }

    /// The instant `millis` milliseconds after the caller's epoch.
    pub const fn from_millis(millis: u64) -> Self {
        Timestamp(Duration::from_millis(millis))
    }

    /// The time elapsed since the caller's epoch.
    pub const fn as_duration(self) -> Duration {
        self.0
    }

    /// `self + d`, saturating at the far future instead of overflowing.
    pub fn saturating_add(self, d: Duration) -> Self {
        Timestamp(self.0.saturating_add(d))
    }
}

impl Add<Duration> for Timestamp {
    type Output = Timestamp;
    fn add(self, d: Duration) -> Timestamp {
        self.saturating_add(d)
    }
}

impl Sub for Timestamp {
    type Output = Duration;
    /// The time from `earlier` to `self`, zero if `earlier` is later.
    fn sub(self, earlier: Timestamp) -> Duration {
        self.0.saturating_sub(earlier.0)
    }
}
