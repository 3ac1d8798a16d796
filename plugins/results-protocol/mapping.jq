# Printable results per session: every attempt, best lifts, total, category place (the
# engine's, with OWLCMS's tie-breaks), medals, and the records set in the session.
# Sessions: the one named by the `session` option, else every session OWLCMS marked done.
. as $in |
($options.session // "" | ltrimstr(" ") | rtrimstr(" ")) as $wanted |
[ (.database.sessions // [])[] | select(if $wanted == "" then (.done | truthy) else .name == $wanted end) ] as $sessions |
def lift($a; $lift): [range(1; 4) as $n | (($a[$lift + ($n | tostring) + "ActualLift"] | tonumber?) // null) as $v
  | {value: (if $v == null then null elif $v < 0 then -$v else $v end), good: (if $v == null then null else $v > 0 end)}];
def kg: if type == "number" and . > 0 then tostring else "-" end;
def medal: if . == 1 then "gold" elif . == 2 then "silver" elif . == 3 then "bronze" else null end;
def record_lift: if . == "SNATCH" then tx("Record.SNATCH"; "Snatch") elif . == "CLEANJERK" then tx("Record.CLEANJERK"; "Clean & Jerk")
  else tx("Record.TOTAL"; "Total") end;
{ title: tx("CompetitionResults"; "Competition Results"),
  competition: (.competition.name // ""),
  date: (.competition.localizedCompetitionDate // .competition.competitionDate // "" | tostring),
  city: (.competition.competitionCity // ""),
  site: (.competition.competitionSite // ""),
  sessions: [ $sessions[] | .name as $name
    | { name: $name,
        description: (.description // ""),
        title: txf("Group_number_results"; "Session {0} – Results"; [$name]),
        categories: ([ $in.competitionAthletes[] | select(.sessionName == $name) ]
          | sort_by(.startNumber | tonumber? // 999)
          | (reduce .[].category as $c ([]; if any(.[]; . == $c) then . else . + [$c] end)) as $order
          | group_by(.category) | sort_by(.[0].category as $c | [$order | to_entries[] | select(.value == $c) | .key][0])
          | map({ name: .[0].category,
                  athletes: (sort_by(.place // 999, (.startNumber | tonumber? // 999)) | map(. as $a | {
                    place, name: .fullName, team: (.teamName // ""), yearOfBirth: (.yearOfBirth | text),
                    bodyWeight: (.bodyWeight | text), startNumber: (.startNumber | text),
                    snatch: lift($a; "snatch"), bestSnatch: (.bestSnatchKg | kg),
                    cleanJerk: lift($a; "cleanJerk"), bestCleanJerk: (.bestCleanJerkKg | kg),
                    total: (.totalKg | kg), medal: (.place | medal) })) })),
        records: [ ($in.database.records // [])[] | select(.groupNameString == $name)
          | { name: (.recordName // .recordFederation // ""), federation: (.recordFederation // ""),
              category: ([(.ageGrp // ""), (.bwCatString // (.bwCatUpper | text)), (.gender // "")] | map(select(. != "")) | join(" ")),
              lift: (.recordLift | record_lift), value: .recordValue, athlete: (.athleteName // ""),
              bodyWeight: (.athleteBW | text) } ] } ],
  headers: { place: tx("Results.Rank"; "Rank"), name: tx("Results.Name"; "Name"), team: tx("Results.Team"; "Team"),
             born: tx("Results.Birth"; "Born"), bodyWeight: tx("Results.BodyWeight"; "B.W."), start: tx("Results.Start"; "Start"),
             snatch: tx("Results.Snatch"; "Snatch"), cleanJerk: tx("Results.Clean_and_Jerk"; "Clean & Jerk"),
             best: tx("Results.Best"; "Best"), total: tx("Results.Total"; "Total"), medal: tx("Results.Medals"; "Medals"),
             records: tx("CompetitionBook.Records"; "Records"), recordName: tx("Results.RecordName"; "Record Name"),
             category: tx("Results.Category"; "Cat."), recordWeight: tx("Results.RecordWeight"; "Record"),
             gold: tx("Medal.Gold"; "Gold"), silver: tx("Medal.Silver"; "Silver"), bronze: tx("Medal.Bronze"; "Bronze") } }
