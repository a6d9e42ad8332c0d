//! Deterministic verdicts for `huma_test_` keys, so customers can exercise
//! every branch of their integration in CI: `bot_` → bot (0.05), `agent_` →
//! human driven by an agent, `borderline_` → 0.45, anything else → 0.95.
//! Every verdict carries the `test_key` note.

use crate::scoring::{AgentVerdict, Label, Labels, Profile, Reason, Verdict, MAX_REASONS};

pub fn verdict(user_id: &str) -> Verdict {
    let (confidence, is_agent) = if user_id.starts_with("bot_") {
        (0.05, false)
    } else if user_id.starts_with("agent_") {
        (0.95, true)
    } else if user_id.starts_with("borderline_") {
        (0.45, false)
    } else {
        (0.95, false)
    };
    let mut notes = Labels::EMPTY;
    notes.insert(Label::TestKey);
    let mut signals = Labels::EMPTY;
    if is_agent {
        signals.insert(Label::Webdriver);
    }
    let mut reasons = [Reason {
        label: Label::TestKey,
        weight: 0.0,
    }; MAX_REASONS];
    reasons[0].weight = confidence;
    Verdict {
        confidence,
        notes,
        reasons,
        reason_count: 1,
        agent: AgentVerdict {
            is_agent,
            agent_confidence: if is_agent { 0.95 } else { 0.02 },
            signals,
        },
        profile: Profile::default(),
        active: true,
    }
}

#[cfg(test)]
mod tests {
    use super::verdict;

    #[test]
    fn prefixes_decide() {
        for (user, conf, agent) in [
            ("bot_1", 0.05, false),
            ("agent_x", 0.95, true),
            ("borderline_7", 0.45, false),
            ("alice", 0.95, false),
        ] {
            let v = verdict(user);
            assert_eq!((v.confidence, v.agent.is_agent), (conf, agent), "{user}");
            assert!(v.notes.contains(crate::scoring::Label::TestKey));
        }
    }
}
