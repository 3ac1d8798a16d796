# Officials of every session, from OWLCMS's session slots (one row per session, one column
# per role that some session fills), and the technical officials list when OWLCMS has one.
def roles: [
  ["referee1", "Referee1", "Referee 1"], ["referee2", "Referee2", "Referee 2"], ["referee3", "Referee3", "Referee 3"],
  ["reserve", "Reserve", "Reserve"],
  ["jury1", "Jury1", "Jury 1"], ["jury2", "Jury2", "Jury 2"], ["jury3", "Jury3", "Jury 3"], ["jury4", "Jury4", "Jury 4"],
  ["jury5", "Jury5", "Jury 5"], ["reserveJury", "Tracker.ReserveJury", "Reserve Jury"],
  ["technicalController", "TechnicalController1", "Technical Controller 1"],
  ["technicalController2", "TechnicalController2", "Technical Controller 2"],
  ["technicalController3", "Tracker.TechnicalController3", "Technical Controller 3"],
  ["marshall", "Marshal1", "Marshal 1"], ["marshal2", "Marshal2", "Marshal 2"],
  ["announcer", "Announcer", "Announcer"], ["timeKeeper", "Timekeeper", "Timekeeper"],
  ["weighIn1", "Weighin1", "Weigh-In 1"], ["weighIn2", "Weighin2", "Weigh-In 2"],
  ["competitionDirector", "Tracker.CompetitionDirector", "Competition Director"],
  ["competitionSecretary", "Tracker.CompetitionSecretary", "Competition Secretary"],
  ["competitionSecretary2", "Tracker.CompetitionSecretary2", "Competition Secretary 2"],
  ["doctor", "Tracker.Doctor", "Doctor"], ["doctor2", "Tracker.Doctor2", "Doctor 2"], ["doctor3", "Tracker.Doctor3", "Doctor 3"] ];
def filled: . != null and (tostring | test("\\S"));
# "2025-11-22T09:00:00" → "2025-11-22 09:00".
def when: if type == "string" then sub("T"; " ") | .[0:16] else "" end;
(.database.sessions // []) as $sessions |
[ roles[] | .[0] as $field | select(any($sessions[]; .[$field] | filled)) ] as $used |
(.database.technicalOfficials // []) as $officials |
{ title: tx("StartingList.Officials"; "Officials"),
  competition: (.competition.name // ""),
  columns: ([tx("Group"; "Session"), tx("Group.Description"; "Description"), tx("Platform"; "Platform"), tx("StartTime"; "Start Time")]
            + [$used[] | tx(.[1]; .[2])]),
  rows: [ $sessions[] | . as $s
          | [($s.name // ""), ($s.description // ""), ($s.platformName // ""), ($s.competitionTime | when)]
            + [$used[] | ($s[.[0]] // "" | tostring)] ],
  officials: { title: tx("Officials"; "Officials"),
               columns: [tx("Name"; "Name"), tx("Jury.Level"; "Level"), tx("Results.RecordFederation"; "Federation")],
               rows: [ $officials[] | [([(.lastName // "" | ascii_upcase), (.firstName // "")] | map(select(. != "")) | join(", ")),
                                       (.level // "" | tostring), (.federation // "" | tostring)] ] } }
