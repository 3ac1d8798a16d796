# Attempt board: the athlete on the platform, in every OWLCMS board mode.
.state as $s | .current as $c | in_break($s) as $brk | ($s.sessionName // "") as $session |
($s.mode // "WAIT") as $mode |
{ title: tx("AttemptBoard"; "Attempt Board"),
  competition: (.competition.name // ""),
  fop: .fop,
  status: (if .status.hasData then "ready" else "waiting" end),
  waitingMessage: waiting_message,
  mode: $mode,
  inBreak: $brk,
  interruption: ($mode == "INTERRUPTION"),
  sessionDone: .session.done,
  session: (if $session == "" then "" else txf("Group_number"; "Session {0}"; [$session]) end),
  breakMessage: (if $brk then break_message($s) elif .session.done then txf("Group_number_done"; "Session {0} done."; [$session]) else "" end),
  athlete: (if $c == null then null else {
    lastName: (($c.lastName // "") | ascii_upcase),
    firstName: ($c.firstName // ""),
    team: ($c.teamName // ""),
    flag: ($c.flagURL // ""),
    picture: (if $options.showPicture then ($c.pictureURL // "") else "" end),
    startNumber: ($c.startNumber | text),
    category: ($c.category // "")
  } end),
  weight: ($s.weight | text),
  kg: "kg",
  attempt: (if $s.attemptNumber then attempt_label($s.liftTypeKey; $s.attemptNumber) else "" end),
  barbell: (if $options.showPlates then .barbell else null end),
  showTimer: $options.showTimer,
  showDecisions: $options.showDecisions,
  stopText: (if ($lang | startswith("no")) then "STOPP" else "STOP" end),
  recordKind: ($s.recordKind // "none"),
  recordMessage: ($s.recordMessage // "") }
