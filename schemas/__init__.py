"""JSON Schemas of the policy, fixture and explanation files, shipped inside the package."""
