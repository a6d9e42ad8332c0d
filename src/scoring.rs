//! The scoring kernel: a pure function from validated signals to a verdict.
//! It never does I/O, never allocates per event and cannot fail.
//!
//! `features` turns the raw arrays into a fixed-length vector; `model` turns
//! that vector into a confidence, the labels that explain it and the agent
//! verdict.

use serde::{Deserialize, Serialize};

pub mod features;
pub mod fingerprint;
pub mod model;

pub use model::{no_signals, profile_distance, PROFILE_ABSENT, PROFILE_SHIFT_THRESHOLD};

use crate::signals::Signals;

/// Scores one validated window. Pure: no I/O, no allocation, no failure;
/// the confidence is finite and in [0, 1] for every input that passed
/// [`Signals::validate`].
pub fn score(signals: &Signals) -> Verdict {
    model::evaluate(&features::extract(signals), !signals.is_empty())
}

/// Every label of `signals.md`: notes on verify/session, and agent signals.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Label {
    OrganicMouse,
    NaturalTyping,
    NaturalScroll,
    TouchInput,
    NoActivity,
    NoSignals,
    LinearMouse,
    ConstantVelocity,
    TeleportingPointer,
    NoMicroMovement,
    BotTyping,
    InstantClicks,
    CenteredClicks,
    SyntheticEvents,
    ScriptedScroll,
    InhumanSpeed,
    ReplayedSignals,
    ProfileShift,
    Webdriver,
    CdpRuntime,
    Headless,
    UniformTyping,
    PasteWithoutKeys,
    ActionBursts,
    TestKey,
}

impl Label {
    pub const ALL: [Label; 25] = [
        Label::OrganicMouse,
        Label::NaturalTyping,
        Label::NaturalScroll,
        Label::TouchInput,
        Label::NoActivity,
        Label::NoSignals,
        Label::LinearMouse,
        Label::ConstantVelocity,
        Label::TeleportingPointer,
        Label::NoMicroMovement,
        Label::BotTyping,
        Label::InstantClicks,
        Label::CenteredClicks,
        Label::SyntheticEvents,
        Label::ScriptedScroll,
        Label::InhumanSpeed,
        Label::ReplayedSignals,
        Label::ProfileShift,
        Label::Webdriver,
        Label::CdpRuntime,
        Label::Headless,
        Label::UniformTyping,
        Label::PasteWithoutKeys,
        Label::ActionBursts,
        Label::TestKey,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Label::OrganicMouse => "organic_mouse",
            Label::NaturalTyping => "natural_typing",
            Label::NaturalScroll => "natural_scroll",
            Label::TouchInput => "touch_input",
            Label::NoActivity => "no_activity",
            Label::NoSignals => "no_signals",
            Label::LinearMouse => "linear_mouse",
            Label::ConstantVelocity => "constant_velocity",
            Label::TeleportingPointer => "teleporting_pointer",
            Label::NoMicroMovement => "no_micro_movement",
            Label::BotTyping => "bot_typing",
            Label::InstantClicks => "instant_clicks",
            Label::CenteredClicks => "centered_clicks",
            Label::SyntheticEvents => "synthetic_events",
            Label::ScriptedScroll => "scripted_scroll",
            Label::InhumanSpeed => "inhuman_speed",
            Label::ReplayedSignals => "replayed_signals",
            Label::ProfileShift => "profile_shift",
            Label::Webdriver => "webdriver",
            Label::CdpRuntime => "cdp_runtime",
            Label::Headless => "headless",
            Label::UniformTyping => "uniform_typing",
            Label::PasteWithoutKeys => "paste_without_keys",
            Label::ActionBursts => "action_bursts",
            Label::TestKey => "test_key",
        }
    }
}

/// A set of labels in one word: building it never allocates.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Labels(u32);

impl Labels {
    pub const EMPTY: Labels = Labels(0);

    pub fn insert(&mut self, l: Label) {
        self.0 |= 1 << (l as u8);
    }

    pub fn contains(self, l: Label) -> bool {
        self.0 & (1 << (l as u8)) != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn iter(self) -> impl Iterator<Item = Label> {
        Label::ALL.into_iter().filter(move |l| self.contains(*l))
    }
}

impl FromIterator<Label> for Labels {
    fn from_iter<I: IntoIterator<Item = Label>>(iter: I) -> Self {
        let mut s = Labels::EMPTY;
        for l in iter {
            s.insert(l);
        }
        s
    }
}

/// Number of entries in a behavioural profile.
pub const PROFILE_LEN: usize = 8;

/// A compact summary of how one person moves and types, stored with each
/// token and compared with later `/session` windows (takeover detection).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Profile(pub [f32; PROFILE_LEN]);

/// One contribution to the score, for `explain: true`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Reason {
    pub label: Label,
    /// Signed contribution to the confidence.
    pub weight: f32,
}

/// Most reasons reported with `explain: true`.
pub const MAX_REASONS: usize = 6;

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AgentVerdict {
    pub is_agent: bool,
    pub agent_confidence: f32,
    pub signals: Labels,
}

/// The kernel's answer for one window.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Verdict {
    /// In [0, 1], finite.
    pub confidence: f32,
    pub notes: Labels,
    /// Largest magnitude first; `reason_count` of them are set.
    pub reasons: [Reason; MAX_REASONS],
    pub reason_count: usize,
    pub agent: AgentVerdict,
    pub profile: Profile,
    /// The window held at least one event (else `/session` treats it as no activity).
    pub active: bool,
}

impl Verdict {
    pub fn reasons(&self) -> &[Reason] {
        &self.reasons[..self.reason_count]
    }
}

#[cfg(test)]
mod tests;
