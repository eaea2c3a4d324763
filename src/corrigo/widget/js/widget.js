console.log("corrigo widget placeholder")
