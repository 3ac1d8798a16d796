# Team standings per championship and gender, cut into pages the client shows one after the
# other (pageSeconds each). By default (scoring "championship") the engine's standings follow
# each championship's OWLCMS rules (.championships: best N, mixed teams, points or score,
# confirmed vs live); choosing a score system instead sums the best N team members' team
# points or scores (N = the competition's men's/women's team size, all when it has none).
. as $in |
$options.scoring as $scoring |
($scoring == "teamPoints") as $points |
def shown($mode): if $mode == "points" then decimals(0) else decimals(2) end;
def value: if $points then .teamPoints else .scores[$scoring] end;
def team_size($g): (if $g == "M" then $in.competition.mensTeamSize else $in.competition.womensTeamSize end | tonumber? // 0)
  | if . > 0 then . else null end;
([$options.championships | split(",")[] | ascii_downcase | ltrimstr(" ") | rtrimstr(" ") | select(. != "")]) as $wanted |
def wanted($c): ($wanted | length) == 0 or (($c // "" | ascii_downcase) as $n | any($wanted[]; . == $n));
(if $scoring == "championship" then
[ (.championships // [])[] | select(wanted(.name)) | .name as $championship | .sections[]
  | .mode as $mode
  | {championship: $championship, gender: .gender, genderLabel: "\(gender_label(.gender)) (\(.rule))",
     rule: .rule, mode: .mode,
     rows: [ .teams | (if $options.teamLimit > 0 then .[0:$options.teamLimit] else . end) | .[]
             | {rank, team, flag: (.flagURL // ""),
                score: ((.confirmed | shown($mode))
                        + (if .live != .confirmed then " (\(tx("TeamResults.Live"; "live")) \(.live | shown($mode)))" else "" end)),
                confirmed, live, athletes: .count, members, teamSize: .cap} ] }
  | select(.rows | length > 0) ]
else
[ .competitionAthletes[]
  | select((.teamName // "") != "" and .teamMember and (.gender == "M" or .gender == "F"))
  | select(wanted(.championship)) ]
| group_by([.championship, .gender])
| map(
    .[0].championship as $championship | .[0].gender as $gender | team_size($gender) as $size |
    [ group_by(.teamName)[]
      | [ .[] | {name: .fullName, v: (value // 0)} | select(.v > 0) ] as $scored
      | ($scored | sort_by(-.v) | .[0:($size // length)]) as $counted
      | { team: .[0].teamName,
          flag: (map(.flagURL // "" | select(. != "")) | .[0] // ""),
          value: ($counted | map(.v) | add // 0 | (. * 1000 | round) / 1000),
          athletes: ($counted | length),
          members: length,
          teamSize: $size } ]
    | sort_by(-.value, .team)
    | . as $teams
    | [ .[] | .value as $v | . + {rank: ([$teams[] | select(.value > $v)] | length + 1)} ]
    | (if $options.teamLimit > 0 then .[0:$options.teamLimit] else . end)
    | map(. + {score: (if $points then (.value | decimals(0)) else (.value | decimals(2)) end)} | del(.value))
    | {championship: $championship, gender: $gender, genderLabel: gender_label($gender), rows: .})
end)
| [ .[] | . as $section | ($section.rows | length) as $n
    | range(0; ([($n + $options.rows - 1) / $options.rows | floor, 1] | max)) as $p
    | $section + {rows: $section.rows[($p * $options.rows):(($p + 1) * $options.rows)],
                  part: ($p + 1), parts: ([($n + $options.rows - 1) / $options.rows | floor, 1] | max)} ]
| . as $pages
| $in
| { title: tx("TeamResults.Title"; "Team Results"),
    competition: (.competition.name // ""),
    status: (if .status.database then "ready" else "waiting" end),
    waitingMessage: waiting_message,
    scoring: $scoring,
    pageSeconds: $options.pageSeconds,
    pages: [ $pages | to_entries[] | .value + {pageLabel: txf("Results.pageOf"; "Page {0} of {1}"; [.key + 1, ($pages | length)])} ],
    headers: { rank: tx("Results.Rank"; "Rank"), team: tx("Results.Team"; "Team"),
               score: (if $scoring == "championship" then tx("TeamResults.Score"; "Score") else score_title($scoring) end),
               athletes: tx("TeamResults.Status"; "Athletes counted / team size"), championship: tx("Championship"; "Championship") } }
