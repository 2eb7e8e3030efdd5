module local/sdkgen/files

go 1.25
