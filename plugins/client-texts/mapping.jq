# The OWLCMS keys the web client uses for its own texts (frontend/src/texts.rs lists them with
# its built-in fallbacks); a key OWLCMS does not have in this locale is left out, so the client
# falls back on its own table. `lang` in the envelope says which locale served them.
{ texts: (["Platform", "Close", "Print", "Settings.TurnOnSound"]
          | map(. as $k | select(($tr[$k] // "") != "") | {($k): $tr[$k]}) | add // {}),
  title: "", columns: [], rows: [] }
