# Athletes in lifting order (next lifter first), as OWLCMS computed it.
standard_grid(.liftingOrder; tx("Scoreboard.LiftingOrder"; "Lifting Order"))
