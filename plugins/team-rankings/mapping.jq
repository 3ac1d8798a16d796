# Team standings per championship and gender, cut into pages the client shows one after the
# other (pageSeconds each). A team's score is the sum of its best N team members' team points
# (N = the competition's men's/women's team size, all when it has none), or of their scores.
. as $in |
$options.scoring as $scoring |
($scoring == "teamPoints") as $points |
def value: if $points then .teamPoints else .scores[$scoring] end;
def team_size($g): (if $g == "M" then $in.competition.mensTeamSize else $in.competition.womensTeamSize end | tonumber? // 0)
  | if . > 0 then . else null end;
([$options.championships | split(",")[] | ascii_downcase | ltrimstr(" ") | rtrimstr(" ") | select(. != "")]) as $wanted |
[ .competitionAthletes[]
  | select((.teamName // "") != "" and .teamMember and (.gender == "M" or .gender == "F"))
  | select(($wanted | length) == 0 or ((.championship // "" | ascii_downcase) as $c | any($wanted[]; . == $c))) ]
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
    headers: { rank: tx("Results.Rank"; "Rank"), team: tx("Results.Team"; "Team"), score: score_title($scoring),
               athletes: tx("TeamResults.Status"; "Athletes counted / team size"), championship: tx("Championship"; "Championship") } }
