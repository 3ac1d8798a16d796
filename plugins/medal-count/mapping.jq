# Medals per team: places 1–3 of every category (by total; also by snatch and by clean & jerk
# when the competition awards medals for them, OWLCMS's snatchCJTotalMedals). Places are the
# engine's, with OWLCMS's tie-breaks; only results above zero are placed.
.competition.name as $competition |
(.scoring.snatchCJTotalMedals // (.competition.snatchCJTotalMedals | truthy)) as $lifts |
def places: .place, (if $lifts then .snatchPlace, .cleanJerkPlace else empty end);
[ .competitionAthletes[] | select((.teamName // "") != "") | {team: .teamName, place: places} | select(.place != null and .place <= 3) ]
| group_by(.team)
| map({ team: .[0].team,
        gold: map(select(.place == 1)) | length,
        silver: map(select(.place == 2)) | length,
        bronze: map(select(.place == 3)) | length })
| map(. + {total: (.gold + .silver + .bronze)})
| sort_by(-.gold, -.silver, -.bronze, .team)
| . as $teams
| [ .[] | . as $t | . + {rank: ([$teams[] | select([.gold, .silver, .bronze] > [$t.gold, $t.silver, $t.bronze])] | length + 1)} ]
| { title: tx("Results.Medals"; "Medals"),
    competition: ($competition // ""),
    columns: [tx("Results.Rank"; "Rank"), tx("Results.Team"; "Team"), tx("Medal.Gold"; "Gold"), tx("Medal.Silver"; "Silver"),
              tx("Medal.Bronze"; "Bronze"), tx("Results.Total"; "Total")],
    rows: [ .[] | [(.rank | tostring), .team, (.gold | tostring), (.silver | tostring), (.bronze | tostring), (.total | tostring)] ] }
