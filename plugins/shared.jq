# Definitions shared by every mapping (see README.md). Only `def`s here: this text is placed
# before each plugin's mapping.jq. Globals available everywhere: $options, $tr, $lang.

# Text of an OWLCMS translation key, with a built-in English fallback when OWLCMS has none.
def tx($key; $fallback): ($tr[$key] // "") as $s | if $s == "" then $fallback else $s end;
# Same, filling the {0}, {1} … placeholders from $args.
def txf($key; $fallback; $args):
  reduce range(0; $args | length) as $i (tx($key; $fallback); gsub("\\{" + ($i | tostring) + "\\}"; $args[$i] | tostring));

# OWLCMS sends booleans as strings or booleans.
def truthy: if type == "boolean" then . elif type == "string" then ascii_downcase == "true" else false end;
def text: if . == null then "" else tostring end;

# Localised name of a lift, from OWLCMS's liftTypeKey.
def lift_name($lift): if $lift == "Snatch" then tx("Snatch"; "Snatch") else tx("Clean_and_Jerk"; "Clean & Jerk") end;
# "Snatch #2" / "C&J #1".
def attempt_label($lift; $number):
  if $lift == "Snatch" then txf("Snatch_number"; "Snatch #{0}"; [$number]) else txf("C_and_J_number"; "C&J #{0}"; [$number]) end;

# What to say during a break or a ceremony (OWLCMS's BreakDisplay texts).
def break_message($s):
  if $s.ceremonyType == "INTRODUCTION" then tx("BreakMgmt.IntroductionOfAthletes"; "Introduction of Athletes")
  elif $s.ceremonyType == "MEDALS" then tx("PublicMsg.Medals"; "Medal Ceremony")
  elif $s.ceremonyType == "OFFICIALS_INTRODUCTION" then tx("BreakMgmt.IntroductionOfOfficials"; "Introduction of Officials")
  elif $s.breakType == "BEFORE_INTRODUCTION" then tx("BreakType.BEFORE_INTRODUCTION"; "Time before Introduction")
  elif $s.breakType == "FIRST_SNATCH" then tx("BreakType.FIRST_SNATCH"; "Time before Snatch")
  elif $s.breakType == "FIRST_CJ" then tx("BreakType.FIRST_CJ"; "Time before Clean & Jerk")
  elif $s.breakType == "SNATCH_DONE" then tx("BreakType.SNATCH_DONE"; "Snatch done")
  elif $s.breakType == "JURY" then tx("PublicMsg.JuryDeliberation"; "Jury Deliberation")
  elif $s.breakType == "CHALLENGE" then tx("PublicMsg.CHALLENGE"; "Challenge")
  elif $s.breakType == "TECHNICAL" then tx("BreakType.TECHNICAL"; "Technical Issue")
  elif $s.breakType == "MARSHAL" then tx("BreakType.MARSHAL"; "Marshal Issue")
  elif $s.breakType == "GROUP_DONE" then tx("PublicMsg.GroupDone"; "Results")
  else tx("PublicMsg.CompetitionPaused"; "Competition paused") end;

# True while OWLCMS reports a break (including ceremonies and the end of a session).
def in_break($s): ($s.break | truthy) or $s.fopState == "BREAK";

# The waiting text when there is nothing to show.
def waiting_message:
  if .status.owlcmsConnected then tx("Scoreboard.WaitingNextGroup"; "Waiting for next session.")
  else tx("Tracker.WaitingForData"; "Waiting for competition data from OWLCMS…") end;

# One attempt cell: weight, status (good, bad, current, next, request, empty) and display text.
def cell:
  (.value) as $v | (.status // "empty") as $st |
  { value: (if ($v | type) == "number" then $v else null end),
    status: $st,
    text: (if ($v | type) != "number" or $v == 0 then (if $st == "empty" then "" else "-" end)
           elif $st == "bad" then "(" + ($v | tostring) + ")"
           else ($v | tostring) end) };

# A number with exactly $d decimals ("325.085", "84"); "" for anything else.
def decimals($d):
  if type != "number" then ""
  else (. * pow(10; $d) | round) as $n
    | ($n | if . < 0 then -. else . end | tostring) as $digits
    | ([range(0; $d + 1 - ($digits | length)) | "0"] | join("") + $digits) as $padded
    | (if $n < 0 then "-" else "" end)
      + (if $d == 0 then $padded else $padded[0:($padded | length) - $d] + "." + $padded[($padded | length) - $d:] end)
  end;

# Title of a score system of the engine's `scores` object (or of team points).
def score_title($system):
  if $system == "sinclair" then tx("Ranking.BW_SINCLAIR"; "Sinclair")
  elif $system == "smhf" then tx("Ranking.SMM"; "SM(H)F")
  elif $system == "qpoints" then tx("Ranking.QPOINTS"; "Q-points")
  elif $system == "qmasters" then tx("Ranking.QAGE"; "Q-masters")
  elif $system == "gamx" then tx("Ranking.GAMX"; "GAMX")
  elif ($system | type) == "string" and ($system | startswith("gamx-")) then $system | ascii_upcase
  elif $system == "teamPoints" then tx("TeamResults.Points"; "Points")
  else null end;

# Shared by the team plugins: the text of a championship standing's value (.confirmed, .live
# of an engine team), "not available" when the section's GAMX table is missing.
def team_value($section):
  (if $section.mode == "points" then 0 else 2 end) as $d |
  if $section.unavailable then tx("Tracker.NotAvailable"; "not available")
  else (.confirmed | decimals($d))
    + (if .live != .confirmed then " (\(tx("TeamResults.Live"; "live")) \(.live | decimals($d)))" else "" end) end;
# What the heading says of a standing's rule, with the missing table if any.
def rule_text($section):
  $section.rule + (if $section.unavailable
    then " – " + tx("Tracker.GamxTableMissing"; "not available (no table from OWLCMS)")
    else "" end);
# A score as OWLCMS shows it: 3 decimals, "-" when there is none or it is 0.
def score_text: if type == "number" and . != 0 then decimals(3) else "-" end;

# The three attempt cells of a lift ("snatch" or "cleanJerk"): OWLCMS's own cells for session
# athletes, else built from the raw lift fields (good, bad, or the weight asked for).
def attempt_cells($lift):
  (if $lift == "snatch" then .sattempts else .cattempts end) as $sent |
  if ($sent | type) == "array" then [$sent[] | cell]
  else . as $a | [range(1; 4) as $n | ($lift + ($n | tostring)) as $f |
    (($a[$f + "ActualLift"] | tonumber?) // null) as $actual |
    (if $actual != null then
       {value: (if $actual < 0 then -$actual else $actual end), status: (if $actual > 0 then "good" else "bad" end)}
     else
       ([$a[$f + ("Change2", "Change1", "Declaration", "AutomaticProgression")] | tonumber? // empty | select(. > 0)] | .[0]) as $w |
       {value: $w, status: (if $w then "request" else "empty" end)}
     end) | cell]
  end;

# "Men" / "Women" / "Men+Women" for M, F, MF.
def gender_label($g):
  if $g == "M" then tx("Gender.Men"; "Men") elif $g == "F" then tx("Gender.Women"; "Women")
  else tx("Gender.Men"; "Men") + "+" + tx("Gender.Women"; "Women") end;

# One grid row from a session athlete (or a spacer).
def row:
  if .isSpacer then {spacer: true}
  else
    (.classname // "") as $class | ($options.score // "none") as $system |
    { key,
      startNumber: (.startNumber | text),
      name: (.fullName // (((.lastName // "") | ascii_upcase) + ", " + (.firstName // ""))),
      lastName: (.lastName // ""), firstName: (.firstName // ""),
      category: (.category // .categoryName // ""),
      subCategory: (.subCategory // ""),
      yearOfBirth: (.yearOfBirth | text),
      team: (.teamName // ""),
      flag: (.flagURL // ""),
      bodyWeight: (.bodyWeight | text),
      snatch: [(.sattempts // [])[] | cell],
      bestSnatch: (.bestSnatch | text), snatchRank: (.snatchRank | text),
      cleanJerk: [(.cattempts // [])[] | cell],
      bestCleanJerk: (.bestCleanJerk | text), cleanJerkRank: (.cleanJerkRank | text),
      total: (.total | text), totalRank: (.totalRank | text),
      sinclair: (.sinclair | text), sinclairRank: (.sinclairRank | text),
      score: (if score_title($system) then (.scores[$system] | score_text) else "" end),
      scoreRank: (if score_title($system) then (.scores[$system + "Rank"] | text) else "" end),
      current: ($class | test("current")), next: ($class == "next"),
      classname: $class }
  end;

# The current-attempt bar shared by the grids and the overlays.
def attempt_bar:
  .state as $s | .current as $c | in_break($s) as $brk | ($s.sessionName // "") as $session |
  { visible: ((($s.fopState // "INACTIVE") != "INACTIVE") or ($c != null and $session != "")),
    mode: ($s.mode // "WAIT"),
    fopState: ($s.fopState // "INACTIVE"),
    inBreak: $brk,
    breakType: ($s.breakType // null),
    interruption: ($s.mode == "INTERRUPTION"),
    sessionDone: .session.done,
    hasAthlete: ($c != null and ($brk | not) and (.session.done | not)),
    name: (if .session.done then txf("Group_number_done"; "Session {0} done."; [$session])
           elif $brk then break_message($s)
           elif $c then ($c.fullName // $s.fullName)
           else tx("Tracker.NoAthleteLifting"; "No athlete currently lifting") end),
    team: (if $brk or $c == null then "" else ($c.teamName // $s.teamName // "") end),
    flag: (if $brk or $c == null then "" else ($c.flagURL // "") end),
    startNumber: (if $c then ($c.startNumber | text) else "" end),
    category: (if $c then ($c.category // $s.categoryName // "") else "" end),
    attempt: (if $c and ($brk | not) and $s.attemptNumber then attempt_label($s.liftTypeKey; $s.attemptNumber) else "" end),
    weight: (if $c and ($brk | not) then ($s.weight | text) else "" end),
    kg: "kg",
    sessionLine: (if $session == "" then ""
                  else txf("Scoreboard.GroupLiftType"; "Session {0} – {1}"; [$session, lift_name($s.liftTypeKey)]) end),
    recordKind: ($s.recordKind // "none"),
    recordMessage: ($s.recordMessage // ""),
    stopText: (if ($lang | startswith("no")) then "STOPP" else "STOP" end) };

# Column titles, translated.
def grid_headers:
  { start: tx("Scoreboard.Start"; "Start"), name: tx("Scoreboard.Name"; "Name"),
    category: tx("Scoreboard.Category"; "Cat."), born: tx("Scoreboard.Birth"; "Born"),
    team: tx("Scoreboard.Team"; "Team"), snatch: tx("Scoreboard.Snatch"; "Snatch"),
    cleanJerk: tx("Scoreboard.Clean_and_Jerk"; "Clean & Jerk"), best: tx("Results.Best"; "Best"),
    total: tx("Scoreboard.Total"; "Total"), rank: tx("Scoreboard.Rank"; "Rank"),
    sinclair: tx("Scoreboard.Sinclair"; "Sinclair"), bodyWeight: tx("Scoreboard.BodyWeight"; "B.W."),
    leaders: tx("Leaders"; "Leaders"), records: tx("Scoreboard.records"; "Records") };

# The records table of the current session's categories, with highlights (behaviour rule R7.4):
# only while an athlete is live on the platform (named, FOP active, session not done) and not in a
# break. The personal-best box is apart from the federations' records (R7.5). The record panel:
# `attempt` only with a live athlete, `new` during breaks too, and only with a message to show.
def records_view:
  (.records // {}) as $r | .state as $s |
  ((($s.fullName // "") != "") and (($s.fopState // "INACTIVE") != "INACTIVE") and (.session.done | not)) as $live |
  (in_break($s) | not) as $lifting |
  ($s.recordKind // "none") as $kind | ($s.recordMessage // "") as $message |
  def rows: [(.records // [])[] | {
        snatch: (.SNATCH | text), cleanJerk: (.CLEANJERK | text), total: (.TOTAL | text),
        snatchHighlight: (.snatchHighlight // false | truthy),
        cleanJerkHighlight: (.cjHighlight // false | truthy),
        totalHighlight: (.totalHighlight // false | truthy) }];
  { visible: ($options.showRecords != false and (($r.recordTable // []) | length) > 0 and $live and $lifting),
    federations: ($r.recordNames // []),
    categories: [($r.recordTable // [])[] | { name: .cat, rows: rows }],
    personalBest: (if $r.personalBest != null and $live and $lifting
                   then { name: ($r.personalBest.title // ""), rows: ($r.personalBest | rows) } else null end),
    kind: $kind,
    message: $message,
    panel: (($message != "") and (($kind == "attempt" and $live and $lifting) or $kind == "new")) };

# A rank as a number (OWLCMS sends "1", 1, "-" or nothing).
def rank_number: if type == "number" then . elif type == "string" then (tonumber? // null) else null end;

# What a public board shows during an OWLCMS ceremony, as OWLCMS's own displays do: the medal
# ceremony's medallists (`ceremonyCategory`, the category's display name; places from the
# engine's `place` when the plugin has the database, else OWLCMS's `totalRank` of the session
# athletes), the introduced session's athletes in start order, or the officials' title. null
# outside ceremonies and on warm-up boards (option `warmup`), which keep the lifting order.
def ceremony_view:
  .state as $s | ($s.ceremonyType // "") as $type |
  ((($s.mode // "") == "CEREMONY" or ($s.breakType // "") == "CEREMONY")
   and $type != "" and ($s.ceremonyEventType // "") != "ceremonyDone") as $on |
  if ($options.warmup // false) or ($on | not) then null
  else ($s.ceremonyCategory // "") as $cat |
    { type: $type,
      title: break_message($s),
      category: (if $type == "MEDALS" then $cat else "" end),
      session: ($s.ceremonySession // $s.sessionName // ""),
      medallists: (if $type != "MEDALS" then []
                   else ((.competitionAthletes // null) as $all
                     | if $all then [$all[] | select(.category == $cat) | {place: (.place | rank_number), a: .}]
                       else [(.athletes // [])[] | select((.isSpacer // false) | not)
                             | select((.category // .categoryName) == $cat) | {place: (.totalRank | rank_number), a: .}] end
                     | map(select(.place != null and .place >= 1 and .place <= 3)) | sort_by(.place)
                     | map({ place, name: (.a.fullName // ""), team: (.a.teamName // ""), flag: (.a.flagURL // ""),
                             total: ((.a.totalKg // .a.total) | text) })) end),
      totalTitle: tx("Scoreboard.Total"; "Total"),
      athletes: (if $type != "INTRODUCTION" then []
                 else [(.startOrder // .athletes // [])[] | select((.isSpacer // false) | not)
                       | { startNumber: (.startNumber | text), name: (.fullName // ""), team: (.teamName // ""),
                           flag: (.flagURL // ""), category: (.category // .categoryName // "") }] end) }
  end;

# The whole standard scoreboard view for a list of athletes (with spacers).
def standard_grid($athletes; $title):
  .state as $s |
  { title: $title,
    competition: (.competition.name // ""),
    fop: .fop,
    status: (if .status.hasData then "ready" else "waiting" end),
    waitingMessage: waiting_message,
    attemptBar: attempt_bar,
    headers: grid_headers,
    columns: { liftRanks: ($s.showLiftRanks | truthy), totalRank: (($s.showTotalRank // "true") | truthy),
               sinclair: ($s.showSinclair | truthy), sinclairRank: ($s.showSinclairRank | truthy),
               bodyWeight: ($s.showBodyWeight | truthy),
               score: score_title($options.score // "none") },
    rows: [$athletes[] | row],
    leaders: { visible: ($options.showLeaders != false and ((.leaders // []) | map(select(.isSpacer | not)) | length) > 0),
               title: tx("Leaders"; "Leaders"),
               rows: [(.leaders // [])[] | row] },
    records: records_view,
    ceremony: ceremony_view,
    liftsDone: ($s.liftsDone // "") };
