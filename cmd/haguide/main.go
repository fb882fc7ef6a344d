// Command haguide holds the OpenStack High Availability Guide and renders,
// runs and checks it. See `haguide --help`.
package main

import "os"

func main() { os.Exit(Main()) }
