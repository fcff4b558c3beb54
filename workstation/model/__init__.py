"""What a radiologist looks at: studies, series, display sets, geometry, pixels. No Qt, no VTK."""
