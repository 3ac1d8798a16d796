# Standard scoreboard in start order: OWLCMS's start order, with a spacer before each category.
standard_grid(.startOrder; tx("StartingList"; "Start List"))
