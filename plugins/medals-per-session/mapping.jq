# Medals to prepare: the engine's .medalsPerSession (each category at its last session, one set
# per ranking its championship's medal policy awards, a place only when enough athletes are
# registered). One row per category, then the session's total.
def policy: if . == "ALL_THREE" then tx("Medals.AllThree"; "snatch, C&J, total")
  elif . == "LIFTS_ONLY" then tx("Medals.LiftsOnly"; "snatch, C&J") else tx("Medals.TotalOnly"; "total") end;
{ title: tx("Medals.PerSession"; "Medals per session"),
  competition: (.competition.name // ""),
  columns: [tx("Session"; "Session"), tx("Category"; "Category"), tx("Championship"; "Championship"),
            tx("Athletes"; "Athletes"), tx("Medals.Policy"; "Medals for"), tx("Medal.Gold"; "Gold"),
            tx("Medal.Silver"; "Silver"), tx("Medal.Bronze"; "Bronze")],
  rows: [ .medalsPerSession[] | .session as $s
          | (.categories[] | [$s, .category, (.championship // ""), (.athletes | tostring), (.medalPolicy | policy),
                              (.gold | tostring), (.silver | tostring), (.bronze | tostring)]),
            [$s, tx("Results.Total"; "Total"), "", "", "", (.gold | tostring), (.silver | tostring), (.bronze | tostring)] ] }
