Console.WriteLine("srs");
