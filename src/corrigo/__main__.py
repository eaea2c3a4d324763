from corrigo.cli import main

raise SystemExit(main())
