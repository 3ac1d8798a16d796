# Team scoreboard: every athlete of the competition (.competitionAthletes) grouped by team.
# The engine computes places, team points and scores; this mapping picks who counts (the best
# N team members of each gender), sums, orders and labels. See README.md for the view shape.

. as $in |
# Which genders: the option, or the current session's (mixed when it has both or none).
(if $options.gender == "Current" then
   ([.athletes[].gender] | unique) as $g | if ($g | length) == 1 then $g[0] else "MF" end
 else $options.gender end) as $gender |
(if $gender == "MF" then ["M", "F"] else [$gender] end) as $genders |
# Athletes counted per gender: the option, else the competition's team size, else all (null).
def team_size($option; $competition): if $option > 0 then $option elif ($competition // 0) > 0 then $competition else null end;
{ M: team_size($options.topMen; .competition.mensTeamSize | tonumber? // 0),
  F: team_size($options.topWomen; .competition.womensTeamSize | tonumber? // 0) } as $top |
$options.scoring as $scoring |
($scoring == "teamPoints") as $points |
# What an athlete brings to the team now and if the next attempt succeeds (null: nothing).
def value: if $points then .teamPoints else .scores[$scoring] end;
def predicted_value: if $points then null else .scores.predicted[$scoring] end;
# The best N of each gender among the team members with a value.
def counted_keys(f):
  [ $genders[] as $g
    | [ .[] | select(.gender == $g and .teamMember) | {key, v: f} | select(.v | . != null and . > 0) ]
    | sort_by(-.v) | .[0:($top[$g] // length)][] | .key ];
def sum_of($keys; f): [ .[] | select(.key as $k | any($keys[]; . == $k)) | f ] | add // 0 | (. * 1000 | round) / 1000;
def team_text: if $points then decimals(0) else decimals(2) end;
(if $points then "teamPoints" else $scoring end) as $shown_system |
(if $points then "sinclair" else $scoring end) as $score_system |
(.current.key // null) as $current |
[ .competitionAthletes[] | select((.teamName // "") != "" and (.gender as $g | any($genders[]; . == $g))) ] as $athletes |
[ $athletes | group_by(.teamName)[]
  | . as $members
  | counted_keys(value) as $now
  | counted_keys(predicted_value) as $next
  | { name: .[0].teamName,
      flag: (map(.flagURL // "" | select(. != "")) | .[0] // ""),
      value: sum_of($now; value),
      predictedValue: (if $points then null else sum_of($next; predicted_value) end),
      athletes: [ $members[] | (.key as $k | any($now[]; . == $k)) as $counted
        | { key, name: .fullName, gender, category, team: .teamName,
            bodyWeight: (.bodyWeight | text),
            snatch: attempt_cells("snatch"), cleanJerk: attempt_cells("cleanJerk"),
            total: (if .totalKg > 0 then (.totalKg | tostring) else "-" end),
            score: (.scores[$score_system] | score_text),
            points: (.teamPoints | tostring),
            predictedTotal: (if .scores.predicted.total > 0 then (.scores.predicted.total | tostring) else "-" end),
            predictedScore: (.scores.predicted[$score_system] | score_text),
            counted: $counted,
            current: ($current != null and .key == $current),
            sortValue: (value // 0) } ]
        | sort_by((if .counted then 0 else 1 end), -.sortValue, .name) | map(del(.sortValue)) } ]
| . as $teams
| [ $teams[] | .value as $v | . + {rank: ([$teams[] | select(.value > $v)] | length + 1)} ]
| (if $options.order == "fixed" then sort_by(.name) else sort_by(-.value, -(.predictedValue // 0), .name) end)
| map(. + {score: (.value | team_text), predicted: (if .predictedValue == null then null else (.predictedValue | team_text) end)}
      | del(.value, .predictedValue)) as $teams
| ($genders | map({(.): $top[.]}) | add) as $counting
| $in
| { title: (tx("TeamResults.Title"; "Team Results") + " – " + gender_label($gender)),
    competition: (.competition.name // ""),
    fop: .fop,
    status: (if .status.database then "ready" else "waiting" end),
    waitingMessage: waiting_message,
    attemptBar: (attempt_bar | if $options.showAttemptBar then . else .visible = false end),
    gender: $gender,
    scoring: $scoring,
    counting: $counting,
    countingLabel: ($genders | map(gender_label(.) + ": " + (if $top[.] then txf("Tracker.TopNScores"; "top {0}"; [$top[.]]) else tx("Tracker.AllAthletes"; "all") end)) | join(", ")),
    showPredicted: ($options.showPredicted and ($points | not)),
    teams: $teams,
    headers: (grid_headers + {
      score: score_title($score_system), points: score_title("teamPoints"),
      teamScore: score_title($shown_system),
      predictedTotal: tx("Tracker.TotalNextScore"; "Total if next succeeds"),
      predictedScore: tx("Tracker.ScoreNextScore"; "Score if next succeeds"),
      predicted: tx("Tracker.Predicted"; "Predicted") }) }
