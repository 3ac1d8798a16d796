# Athletes grouped by category (in start-order appearance), ranked by total once any clean &
# jerk was lifted in the session, else by snatch; unranked athletes last.
def rank_of($field): (.[$field] // "" | tonumber? // 9999);
(any(.athletes[]; .attemptsDone > 3)) as $cj |
(if $cj then "totalRank" else "snatchRank" end) as $field |
(reduce (.athletes[] | .category) as $c ([]; if any(.[]; . == $c) then . else . + [$c] end)) as $categories |
[ $categories[] as $c
  | {isSpacer: true},
    (.athletes | map(select(.category == $c)) | sort_by(rank_of($field), (.startNumber // 0))[])
] as $rows |
standard_grid($rows; tx("Results.Rank"; "Rankings")) + {rankedBy: (if $cj then "total" else "snatch" end)}
