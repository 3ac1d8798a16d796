# The jury's view of the referees (OWLCMS's jury console shows the same): lights in referee
# order, labelled, drawn as each referee decides; the jury's decision from the stream.
{ title: tx("Referees_Jury"; "Referees and Jury"),
  mirrored: false,
  jury: true,
  showClock: ($options.showClock != false),
  referees: [range(1; 4) | tostring | tx("Referee" + .; "Referee " + .)],
  attemptBar: attempt_bar,
  stopText: attempt_bar.stopText }
