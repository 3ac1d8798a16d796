# Team standings per championship and gender, cut into pages the client shows one after the
# other (pageSeconds each). The engine computes every standing (.championships) under each
# championship's OWLCMS rules, with the view's options already applied (scoring, topMen,
# topWomen, onlyTotalPoints, bombOut); this mapping selects championships and genders, labels
# and pages.
. as $in |
$options.scoring as $scoring |
([$options.championships | split(",")[] | ascii_downcase | ltrimstr(" ") | rtrimstr(" ") | select(. != "")]) as $wanted |
def wanted($c): ($wanted | length) == 0 or (($c // "" | ascii_downcase) as $n | any($wanted[]; . == $n));
def wanted_gender($g): $options.gender == "all" or $options.gender == $g;
[ (.championships // [])[] | select(wanted(.name)) | .name as $championship | .sections[]
  | select(wanted_gender(.gender)) | . as $section
  | {championship: $championship, gender: .gender, genderLabel: "\(gender_label(.gender)) (\(rule_text($section)))",
     rule: .rule, mode: .mode, unavailable: .unavailable,
     rows: [ .teams | (if $options.teamLimit > 0 then .[0:$options.teamLimit] else . end) | .[]
             | {rank, team, flag: (.flagURL // ""), score: team_value($section),
                confirmed, live, athletes: .count, members, teamSize: .cap} ] }
  | select(.rows | length > 0) ]
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
