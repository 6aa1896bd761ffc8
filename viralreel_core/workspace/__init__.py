"""Where a person's things live and who may spend: workspaces, access, spending, projects, uploads."""
