# Lower third: one line about the athlete on the platform, or the break message.
attempt_bar as $bar |
{ fop: .fop,
  visible: ($bar.visible and ($bar.sessionDone | not)),
  mode: $bar.mode,
  interruption: $bar.interruption,
  inBreak: $bar.inBreak,
  name: $bar.name,
  team: $bar.team,
  flag: $bar.flag,
  weight: (if $bar.weight == "" then "" else $bar.weight + " kg" end),
  attempt: $bar.attempt,
  position: $options.position,
  fontSize: $options.fontSize,
  stopText: (if ($lang | startswith("no")) then "STOPP" else "STOP" end) }
