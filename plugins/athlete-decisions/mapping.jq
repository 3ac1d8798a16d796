# The athlete-facing decision display (OWLCMS's "Athlete-facing Timer/Down/Decisions"): the
# lights come from the stream's decision events; the view says how to draw them.
{ title: tx("Refereeing_Displays"; "Athlete-facing Timer/Down/Decisions"),
  mirrored: ($options.mirrored != false),
  jury: false,
  showClock: ($options.showClock != false),
  referees: [],
  attemptBar: attempt_bar,
  stopText: attempt_bar.stopText }
