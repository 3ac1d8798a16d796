# Team scoreboard: one championship's standing for one gender section, every team with all its
# athletes (.competitionAthletes) and the ones who count. The engine computes the standing
# (.championships: the championship's OWLCMS rules with the view's options applied — scoring,
# topMen, topWomen, onlyTotalPoints, bombOut); this mapping picks the section, joins the
# athletes' lifts, orders and labels. See README.md for the rules and the view shape.

. as $in |
(reduce (.competitionAthletes // [])[] as $a ({}; .[$a.key] = $a)) as $by_key |
(.current.key // null) as $current |
# Championship: the option's first match, else the current athlete's, else the one most of the
# session's athletes are in, else the first.
([$options.championships | split(",")[] | ascii_downcase | ltrimstr(" ") | rtrimstr(" ") | select(. != "")]) as $wanted |
[ (.championships // [])[] | select(($wanted | length) == 0 or ((.name | ascii_downcase) as $n | any($wanted[]; . == $n))) ] as $candidates |
[ .athletes[] | $by_key[.key].championship // empty ] as $session_championships |
(if ($wanted | length) > 0 then $candidates[0]
 else ([ $candidates[] | select(.name == ($by_key[$current // ""].championship // null)) ][0]
       // ($candidates | max_by(.name as $n | [$session_championships[] | select(. == $n)] | length)
           | select(. != null and ($session_championships | length) > 0))
       // $candidates[0]) end) as $championship |
# Gender: the option; Current = the current athlete's, else the session's when it has one,
# else the first section.
([.athletes[].gender] | unique) as $session_genders |
(if $options.gender != "Current" then $options.gender
 elif $by_key[$current // ""].gender then $by_key[$current].gender
 elif ($session_genders | length) == 1 then $session_genders[0]
 else ($championship.sections[0].gender // "M") end) as $gender |
([ ($championship.sections // [])[] | select(.gender == $gender) ][0]) as $section |
(($section.mode // "points") == "points") as $points |
(if $points then 0 else 2 end) as $d |
# Athletes' own score column: the section's score in score mode, else Sinclair.
def member_cells($m):
  { score: (if $points then (.scores.sinclair | score_text) else ($m.value | score_text) end),
    points: (if $points then ($m.value // 0 | decimals(0)) else (.teamPoints | tostring) end),
    predictedScore: (if $points then (.scores.predicted.sinclair | score_text) else ($m.predicted | score_text) end) };
def athlete_row($m; $counted):
  { key, name: .fullName, gender, category, team: .teamName,
    bodyWeight: (.bodyWeight | text),
    snatch: attempt_cells("snatch"), cleanJerk: attempt_cells("cleanJerk"),
    total: (if .totalKg > 0 then (.totalKg | tostring) else "-" end),
    predictedTotal: (if .scores.predicted.total > 0 then (.scores.predicted.total | tostring) else "-" end),
    counted: $counted,
    current: ($current != null and .key == $current) } + member_cells($m);
[ ($section.teams // [])[] | . as $team
  | [ .roster[] | .key ] as $members
  | { name: .team, flag: (.flagURL // ""), rank,
      score: team_value($section),
      predicted: (if $points or $section.unavailable or .predicted == null then null else (.predicted | decimals($d)) end),
      athletes: (
        [ .roster | to_entries[] | .value as $m | ($by_key[$m.key] // empty)
          | {row: athlete_row($m; $m.kept), order: [(if $m.kept then 0 else 1 end), .key]} ]
        # Team athletes of this championship who are not team members (no value, never counted).
        + [ (.roster | length) as $n | ($in.competitionAthletes // [])[]
            | select(.teamName == $team.team and .championship == $championship.name
                     and (.key as $k | any($members[]; . == $k) | not)
                     and ($gender == "MF" or .gender == $gender))
            | {row: athlete_row({}; false), order: [2, .key]} ]
        | map(.row) ) } ]
| (if $options.order == "fixed" then sort_by(.name) else . end) as $teams
# The section's system as OWLCMS names it ("Ranking.BW_SINCLAIR"), or the option's.
| (if $options.scoring != "championship" then (score_title($options.scoring) // $section.system)
   else tx("Ranking." + ($section.system // ""); $section.system // "") end) as $system_title
| $in
| { title: ([tx("TeamResults.Title"; "Team Results"), ($championship.name // empty), gender_label($gender)] | join(" – ")),
    competition: (.competition.name // ""),
    fop: .fop,
    status: (if .status.database then "ready" else "waiting" end),
    waitingMessage: waiting_message,
    attemptBar: (attempt_bar | if $options.showAttemptBar then . else .visible = false end),
    championship: ($championship.name // null),
    gender: $gender,
    scoring: $options.scoring,
    mode: ($section.mode // null),
    rule: ($section.rule // null),
    unavailable: ($section.unavailable // null),
    countingLabel: (if $section then rule_text($section)
                    elif $gender == "MF" then tx("Tracker.NoMixedTeams"; "no mixed teams in this championship")
                    else "" end),
    showPredicted: ($options.showPredicted and ($points | not)),
    teams: $teams,
    headers: (grid_headers + {
      score: (if $points then score_title("sinclair") else $system_title end),
      points: score_title("teamPoints"),
      teamScore: (if $points then score_title("teamPoints") else $system_title end),
      predictedTotal: tx("Tracker.TotalNextScore"; "Total if next succeeds"),
      predictedScore: tx("Tracker.ScoreNextScore"; "Score if next succeeds"),
      predicted: tx("Tracker.Predicted"; "Predicted") }) }
