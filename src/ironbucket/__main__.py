from ironbucket.cli import main

raise SystemExit(main())
