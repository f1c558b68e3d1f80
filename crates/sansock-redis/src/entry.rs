//! A stream entry and its id, as Redis writes them (`<milliseconds>-<sequence>`).

use bytes::Bytes;
use std::fmt;
use std::str::FromStr;

/// A stream entry's id: Redis orders entries by it, and a member resumes after the last it saw.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EntryId {
    /// The milliseconds part.
    pub ms: u64,
    /// The sequence within the millisecond.
    pub seq: u64,
}

/// Text that is not an entry id (`<u64>-<u64>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidEntryId;

impl fmt::Display for InvalidEntryId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not a stream entry id (<milliseconds>-<sequence>)")
    }
}

impl std::error::Error for InvalidEntryId {}

impl FromStr for EntryId {
    type Err = InvalidEntryId;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (ms, seq) = text.split_once('-').ok_or(InvalidEntryId)?;
        Ok(EntryId {
            ms: ms.parse().map_err(|_| InvalidEntryId)?,
            seq: seq.parse().map_err(|_| InvalidEntryId)?,
        })
    }
}

impl fmt::Display for EntryId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.ms, self.seq)
    }
}

/// One entry of a topic: its id, the instance that published it, what it published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Its place in the topic's stream.
    pub id: EntryId,
    /// The instance that published it.
    pub server: String,
    /// What was published.
    pub payload: Bytes,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_read_write_and_order_as_redis_does() {
        let id: EntryId = "1733580000000-12".parse().unwrap();
        assert_eq!(
            id,
            EntryId {
                ms: 1_733_580_000_000,
                seq: 12
            }
        );
        assert_eq!(id.to_string(), "1733580000000-12");
        assert!(id < "1733580000000-13".parse().unwrap());
        assert!(id < "1733580000001-0".parse().unwrap());
        for bad in ["", "12", "a-1", "1-", "-1", "1-2-3"] {
            assert_eq!(bad.parse::<EntryId>(), Err(InvalidEntryId), "{bad}");
        }
    }
}
