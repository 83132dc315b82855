//! A hybrid logical clock (Kulkarni et al., 2014): physical milliseconds, a counter for
//! events within one millisecond or while the wall clock is behind, and the device as a tie
//! break. Stamps from one device only ever increase, and a device that has seen a stamp
//! always issues larger ones, so "last writer wins" means the same thing on every device
//! however wrong their clocks are.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// How far ahead of our own clock a stamp from elsewhere may be before we refuse it: a phone
/// whose clock is a day fast must not make every later edit lose.
pub const MAX_CLOCK_SKEW_MS: u64 = 5 * 60 * 1000;

/// A stamp. Ordered by wall time, then counter, then node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Hlc {
    pub wall_ms: u64,
    pub counter: u32,
    pub node: u64,
}

impl Hlc {
    pub const ZERO: Self = Self {
        wall_ms: 0,
        counter: 0,
        node: 0,
    };
}

impl fmt::Display for Hlc {
    /// `0001764000000000-00000000-0123456789abcdef`: fixed width, so that text order equals
    /// stamp order (SQLite and IndexedDB indexes sort it as text).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:016}-{:08x}-{:016x}",
            self.wall_ms, self.counter, self.node
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseHlcError;

impl fmt::Display for ParseHlcError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not a clock stamp (expected 16 digits-8 hex-16 hex)")
    }
}

impl std::error::Error for ParseHlcError {}

impl FromStr for Hlc {
    type Err = ParseHlcError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut parts = s.split('-');
        let (Some(wall), Some(counter), Some(node), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(ParseHlcError);
        };
        if wall.len() != 16 || counter.len() != 8 || node.len() != 16 {
            return Err(ParseHlcError);
        }
        let all = |p: &str, f: fn(&u8) -> bool| p.as_bytes().iter().all(f);
        if !all(wall, u8::is_ascii_digit)
            || !all(counter, u8::is_ascii_hexdigit)
            || !all(node, u8::is_ascii_hexdigit)
        {
            return Err(ParseHlcError);
        }
        Ok(Self {
            wall_ms: wall.parse().map_err(|_| ParseHlcError)?,
            counter: u32::from_str_radix(counter, 16).map_err(|_| ParseHlcError)?,
            node: u64::from_str_radix(node, 16).map_err(|_| ParseHlcError)?,
        })
    }
}

impl Serialize for Hlc {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Hlc {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// A stamp from elsewhere was too far in the future to trust.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClockSkewError {
    pub remote_ms: u64,
    pub local_ms: u64,
}

/// One device's clock. The caller supplies physical time, so this stays pure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HlcClock {
    last: Hlc,
}

impl HlcClock {
    pub fn new(node: u64) -> Self {
        Self {
            last: Hlc { node, ..Hlc::ZERO },
        }
    }

    /// Resumes from the last stamp this device issued (kept in storage across restarts).
    pub fn resume(last: Hlc) -> Self {
        Self { last }
    }

    pub fn last(&self) -> Hlc {
        self.last
    }

    /// A stamp for a local event at physical time `now_ms`; larger than every earlier one.
    pub fn now(&mut self, now_ms: u64) -> Hlc {
        self.last = if now_ms > self.last.wall_ms {
            Hlc {
                wall_ms: now_ms,
                counter: 0,
                node: self.last.node,
            }
        } else {
            self.successor(self.last.wall_ms, self.last.counter)
        };
        self.last
    }

    /// Takes in a stamp from another device; the next local stamps will be larger than it.
    pub fn observe(&mut self, remote: Hlc, now_ms: u64) -> Result<Hlc, ClockSkewError> {
        if remote.wall_ms > now_ms.saturating_add(MAX_CLOCK_SKEW_MS) {
            return Err(ClockSkewError {
                remote_ms: remote.wall_ms,
                local_ms: now_ms,
            });
        }
        let wall = now_ms.max(self.last.wall_ms).max(remote.wall_ms);
        self.last = if wall == now_ms && wall > self.last.wall_ms && wall > remote.wall_ms {
            Hlc {
                wall_ms: wall,
                counter: 0,
                node: self.last.node,
            }
        } else {
            let mut counter = 0;
            if wall == self.last.wall_ms {
                counter = counter.max(self.last.counter);
            }
            if wall == remote.wall_ms {
                counter = counter.max(remote.counter);
            }
            self.successor(wall, counter)
        };
        Ok(self.last)
    }

    /// The next stamp after (wall, counter) on this node; a full counter moves the wall on.
    fn successor(&self, wall_ms: u64, counter: u32) -> Hlc {
        match counter.checked_add(1) {
            Some(counter) => Hlc {
                wall_ms,
                counter,
                node: self.last.node,
            },
            None => Hlc {
                wall_ms: wall_ms + 1,
                counter: 0,
                node: self.last.node,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn text_form_round_trips_and_sorts_like_the_stamp() {
        let a = Hlc {
            wall_ms: 1_764_000_000_000,
            counter: 2,
            node: 0xabc,
        };
        let b = Hlc {
            wall_ms: 1_764_000_000_000,
            counter: 10,
            node: 0x1,
        };
        assert_eq!(a.to_string().parse::<Hlc>().unwrap(), a);
        assert!(a < b && a.to_string() < b.to_string());
        assert_eq!(serde_json::to_string(&a).unwrap(), format!("\"{a}\""));
        for bad in [
            "",
            "1-2-3",
            "000000000000000a-00000000-0000000000000000",
            "x",
        ] {
            assert!(bad.parse::<Hlc>().is_err(), "{bad}");
        }
    }

    #[test]
    fn a_stamp_far_in_the_future_is_refused() {
        let mut clock = HlcClock::new(1);
        let far = Hlc {
            wall_ms: 10_000_000,
            counter: 0,
            node: 2,
        };
        assert!(clock.observe(far, 1_000).is_err());
        assert_eq!(
            clock.last(),
            Hlc {
                node: 1,
                ..Hlc::ZERO
            },
            "a refused stamp changes nothing"
        );
    }

    #[derive(Debug, Clone)]
    enum Event {
        Local(u64),
        Remote(Hlc, u64),
    }

    fn events() -> impl Strategy<Value = Vec<Event>> {
        let stamp = (0u64..2_000, 0u32..4, 0u64..4).prop_map(|(w, c, n)| Hlc {
            wall_ms: w,
            counter: c,
            node: n,
        });
        let event = prop_oneof![
            (0u64..2_000).prop_map(Event::Local),
            (stamp, 0u64..2_000).prop_map(|(s, now)| Event::Remote(s, now)),
        ];
        proptest::collection::vec(event, 1..60)
    }

    proptest! {
        #[test]
        fn the_clock_never_goes_backwards(events in events()) {
            let mut clock = HlcClock::new(7);
            let mut previous = clock.last();
            for event in events {
                let stamp = match event {
                    Event::Local(now) => clock.now(now),
                    Event::Remote(remote, now) => match clock.observe(remote, now) {
                        Ok(stamp) => {
                            prop_assert!(stamp > remote, "{stamp} after seeing {remote}");
                            stamp
                        }
                        Err(_) => {
                            prop_assert_eq!(clock.last(), previous);
                            continue;
                        }
                    },
                };
                prop_assert!(stamp > previous, "{stamp} after {previous}");
                prop_assert_eq!(stamp.node, 7);
                previous = stamp;
            }
        }

        #[test]
        fn local_stamps_follow_physical_time_when_it_moves_on(now in 1u64..u64::MAX / 2) {
            let mut clock = HlcClock::new(1);
            prop_assert_eq!(clock.now(now).wall_ms, now);
        }
    }
}
