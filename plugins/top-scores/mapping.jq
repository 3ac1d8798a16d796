# The best scores of the competition so far, by gender (OWLCMS's "best lifter" boards): every
# athlete of the database with a score above zero in the chosen system (the engine's scores,
# from the athlete's total and body weight), best first, `count` per gender, women first.
($options.score // "sinclair") as $system | ($options.count // 5) as $n |
[ .competitionAthletes[] | select(((.scores[$system] // 0) | type) == "number" and (.scores[$system] // 0) > 0) ] as $scored |
{ title: (if $system == "sinclair" then tx("Scoreboard.TopSinclair"; "Top Sinclair")
          else tx("Tracker.TopScores"; "Top scores") + " – " + (score_title($system) // $system) end),
  competition: (.competition.name // ""),
  columns: ["", tx("Results.Rank"; "Rank"), tx("Scoreboard.Name"; "Name"), tx("Scoreboard.Team"; "Team"),
            tx("Scoreboard.Category"; "Cat."), tx("Scoreboard.Total"; "Total"), (score_title($system) // $system)],
  rows: [ ("F", "M") as $g
          | [$scored[] | select(.gender == $g)] | sort_by(-(.scores[$system]), .fullName) | to_entries[] | select(.key < $n)
          | [ (if .key == 0 then gender_label($g) else "" end), ((.key + 1) | tostring), .value.fullName, (.value.teamName // ""),
              (.value.category // ""), (.value.totalKg | text), (.value.scores[$system] | score_text) ] ] }
