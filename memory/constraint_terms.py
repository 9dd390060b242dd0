"""What each kind of constraint clashes with: the words of dishes, drinks, drugs and activities that bear on it.

A table, not code: the constraint finder (:mod:`memory.constraints`) reads a message for these words. Each
entry maps the stem of what the user named ("peanut", "lactose", "warfarin", "fly") to what a message may
say instead ("satay", "cheese board", "ibuprofen", "weekend in Rome"). Words are matched as whole words with
common endings (``satay`` matches ``satays``); a phrase is written with underscores (``peanut_sauce``).
"""

from __future__ import annotations

MEAT = (
    "meat chicken beef pork bacon ham steak burger sausage lamb turkey duck veal salami pepperoni prosciutto chorizo "
    "guanciale pancetta carbonara bolognese ragu kebab gelatin gelatine bbq barbecue ribs brisket meatball meatballs "
    "hot_dog jerky wings nuggets pulled_pork shawarma gyros lard venison goose mince burgers hamburger cheeseburger "
    "chilli_con_carne chili_con_carne pho pâté pate foie_gras liver oxtail katsu tonkotsu stock broth gravy "
    "bone_broth full_english fry-up fry_up roast_dinner sunday_roast"
)
FISH = "fish salmon tuna cod haddock trout sardine sardines anchovy anchovies sushi sashimi fish_sauce caesar mackerel"
SHELLFISH = (
    "shellfish shrimp prawn prawns crab lobster paella scampi gumbo bouillabaisse seafood oyster oysters mussel "
    "mussels clam clams scallop scallops crayfish langoustine calamari squid octopus tom_yum ceviche shrimp_cocktail"
)
DAIRY = (
    "milk cheese cream butter yogurt yoghurt ice_cream latte cappuccino flat_white pizza cheesecake mac_and_cheese "
    "lasagne lasagna alfredo carbonara fondue raclette custard milkshake brie camembert parmesan mozzarella feta "
    "cheese_board cheeseboard quiche gelato tiramisu bechamel béchamel paneer ghee whey halloumi cheddar gouda "
    "creme_brulee crème_brûlée panna_cotta mascarpone ricotta burrata korma tikka_masala hot_chocolate creamy "
    "risotto gratin dauphinoise chowder"
)
EGG = (
    "egg eggs omelette omelet mayonnaise mayo meringue quiche carbonara pavlova custard brioche pancake pancakes "
    "hollandaise frittata eggs_benedict aioli tiramisu french_toast souffle soufflé eggnog macaron macarons"
)
GLUTEN = (
    "gluten wheat bread pasta pizza beer cake cookie cookies biscuit biscuits croissant bagel sandwich couscous "
    "noodles flour pastry pie crackers cereal wrap tortilla ramen dumpling dumplings pancake pancakes waffle "
    "waffles muffin donut doughnut seitan barley rye brownie lasagne lasagna spaghetti baguette pretzel sourdough "
    "toast crumpet scone bulgur orzo gnocchi udon tempura breaded battered stuffing focaccia pita naan soy_sauce "
    "malt beer batter"
)
SWEET = (
    "dessert desserts sweet sweets sugar sugary candy chocolate ice_cream soda coke cola juice cookie cookies "
    "pastry pastries pudding donut doughnut brownie brownies cupcake cupcakes pie syrup honey milkshake treat "
    "treats cake cakes pancakes waffles fudge caramel marshmallow marshmallows sundae gelato tiramisu cheesecake "
    "baklava churros lemonade energy_drink smoothie jam frosting icing bakery patisserie"
)
ALCOHOL = (
    "alcohol wine beer cocktail cocktails pub bar_crawl champagne prosecco whisky whiskey vodka gin rum tequila "
    "sangria mimosa margarita mojito brewery winery wine_tasting happy_hour booze spritz cider sake aperol "
    "negroni martini bourbon brandy liqueur mulled_wine pint pints shots drinks drinking stag stag_do hen_party "
    "hen_do bachelor_party bachelorette bourguignon coq_au_vin craft_beer prosecco"
)
PAINKILLERS = "ibuprofen aspirin advil nurofen naproxen aleve nsaid nsaids painkiller painkillers motrin diclofenac"
NUTS = (
    "nut nuts nutella praline marzipan pesto baklava frangipane amaretti nougat granola trail_mix biscotti "
    "macaron macarons gianduja ferrero almond almonds walnut walnuts cashew cashews pistachio pistachios "
    "pecan pecans hazelnut hazelnuts brazil_nut macadamia pine_nuts korma banana_bread carrot_cake brownie "
    "brownies"
)
PEANUT = (
    "peanut peanuts satay pad_thai peanut_butter pb&j groundnut gado_gado kung_pao trail_mix snickers reese's "
    "reeses m&ms maafe peanut_sauce goober satay_sauce"
)
SPICY = (
    "spicy chili chilli hot_sauce curry vindaloo jalapeno jalapeño sriracha szechuan sichuan kimchi buffalo_wings "
    "tom_yum habanero cayenne harissa nando's peri_peri piri_piri phaal madras jerk thai mexican indian korean "
    "szechuan sichuan salsa chipotle wasabi pepper_sauce"
)

TRIGGERS: dict[str, str] = {
    # allergies and intolerances (the stem of what the user named)
    "peanut": PEANUT,
    "nut": f"{NUTS} {PEANUT}",
    "tree nut": NUTS,
    "hazelnut": "hazelnut hazelnuts nutella praline gianduja ferrero nougat",
    "almond": "almond almonds marzipan frangipane amaretti macaron macarons korma biscotti almond_milk",
    "walnut": "walnut walnuts baklava brownie brownies carrot_cake banana_bread",
    "cashew": "cashew cashews korma pesto vegan_cheese stir_fry",
    "pistachio": "pistachio pistachios baklava gelato",
    "shellfish": SHELLFISH,
    "shrimp": SHELLFISH,
    "prawn": SHELLFISH,
    "crab": SHELLFISH,
    "lobster": SHELLFISH,
    "seafood": f"{SHELLFISH} {FISH}",
    "fish": FISH,
    "egg": EGG,
    "milk": DAIRY,
    "dairy": DAIRY,
    "lactose": DAIRY,
    "cheese": DAIRY,
    "gluten": GLUTEN,
    "wheat": GLUTEN,
    "coeliac": GLUTEN,
    "celiac": GLUTEN,
    "soy": "soy soya tofu soy_sauce edamame miso tempeh soy_milk teriyaki",
    "sesame": "sesame tahini hummus houmous halva bagel sushi falafel baba_ganoush bibimbap",
    "mustard": "mustard dijon vinaigrette hot_dog",
    "celery": "celery stock soup waldorf",
    "strawberr": "strawberry strawberries eton mess smoothie",
    "kiwi": "kiwi kiwis fruit salad pavlova",
    "sulphite": "wine dried_fruit sulphites sulfites",
    "garlic": "garlic aioli pesto garlic_bread",
    "onion": "onion onions",
    "penicillin": "penicillin amoxicillin antibiotic antibiotics augmentin flucloxacillin",
    "latex": "latex balloon balloons condom gloves",
    "bee": "bee bees wasp hive beekeeping honey",
    "cat": "cat cats kitten kittens cat_cafe cat-sit cat_sitting pet_sit pet_sitting maine_coon persian kitty litter",
    "dog": "dog dogs puppy puppies dog_sitting",
    "pollen": "pollen hay fever picnic meadow flowers garden",
    # diets
    "vegetarian": f"{MEAT} {FISH} {SHELLFISH}",
    "vegan": f"{MEAT} {FISH} {SHELLFISH} {DAIRY} {EGG} honey leather wool silk down_jacket suede fur",
    "pescatarian": MEAT,
    "pescetarian": MEAT,
    "halal": (
        "full_english pork bacon ham alcohol wine beer gelatin gelatine pepperoni salami prosciutto "
        "chorizo lard pancetta "
        "guanciale carbonara cocktail cocktails"
    ),
    "kosher": f"pork bacon ham cheeseburger lard pepperoni salami prosciutto chorizo {SHELLFISH}",
    "meat": MEAT,
    "pork": "pork bacon ham pepperoni salami prosciutto chorizo lard pancetta guanciale carbonara hot_dog sausage",
    "beef": "beef steak burger hamburger brisket bolognese meatball meatballs oxtail",
    "sugar": SWEET,
    "spicy": SPICY,
    "alcohol": ALCOHOL,
    "drink": ALCOHOL,
    "caffeine": "coffee espresso latte cappuccino tea cola coke energy_drink red_bull matcha",
    "coffee": "coffee espresso latte cappuccino",
    # conditions
    "diabet": SWEET,
    "blood sugar": SWEET,
    "pregnan": "alcohol wine beer cocktail cocktails sushi sashimi raw rare steak brie camembert unpasteurised "
    "unpasteurized liver pate pâté caffeine coffee espresso swordfish hot_tub jacuzzi sauna roller_coaster "
    "rollercoaster ibuprofen retinol deli_meat salami prosciutto oysters blue_cheese soft_cheese",
    "blood pressure": (
        "charcuterie cured_meat salami ham raclette cheese_board "
        "ramen instant_noodles processed salt salty sodium soy_sauce bacon crisps pickles "
        "decongestant ibuprofen caffeine energy_drink "
        "liquorice licorice"
    ),
    "hypertension": (
        "ramen instant_noodles processed salt salty sodium soy_sauce bacon crisps pickles "
        "decongestant ibuprofen caffeine energy_drink"
    ),
    "gout": "red_meat beer shellfish liver kidney anchovies sardines organ_meat",
    "ibs": "onion garlic beans lentils spicy fried fodmap",
    "reflux": "spicy coffee citrus tomato chocolate alcohol fried mint",
    "epilep": "strobe strobes flashing_lights rave laser_show laser_light club clubs clubbing techno nightclub "
    "all-nighter sleep_deprivation alcohol video_game concert",
    "migraine": "red_wine aged_cheese chocolate msg caffeine strobe",
    "asthma": "smoke smoking bonfire campfire vape cold_air pollen dust smog pollution marathon run running",
    "kidney": "salt potassium protein_shake ibuprofen creatine",
    # medication
    "warfarin": f"{PAINKILLERS} alcohol grapefruit cranberry vitamin_k kale spinach fish_oil ginkgo turmeric "
    "st_john's_wort garlic_supplement",
    "blood thinner": f"{PAINKILLERS} alcohol grapefruit cranberry fish_oil ginkgo turmeric st_john's_wort",
    "anticoagulant": f"{PAINKILLERS} alcohol grapefruit fish_oil ginkgo turmeric",
    "apixaban": f"{PAINKILLERS} alcohol st_john's_wort",
    "eliquis": f"{PAINKILLERS} alcohol st_john's_wort",
    "rivaroxaban": f"{PAINKILLERS} alcohol st_john's_wort",
    "clopidogrel": f"{PAINKILLERS} omeprazole alcohol",
    "ssri": "st_john's_wort tramadol triptan sumatriptan alcohol mdma 5-htp tryptophan aspirin ibuprofen",
    "sertraline": "st_john's_wort tramadol triptan sumatriptan alcohol mdma 5-htp tryptophan aspirin ibuprofen",
    "fluoxetine": "st_john's_wort tramadol triptan sumatriptan alcohol mdma 5-htp tryptophan",
    "citalopram": "st_john's_wort tramadol triptan sumatriptan alcohol mdma 5-htp tryptophan",
    "escitalopram": "st_john's_wort tramadol triptan sumatriptan alcohol mdma 5-htp tryptophan",
    "antidepressant": "st_john's_wort tramadol triptan alcohol mdma 5-htp",
    "mao": "aged_cheese aged_cheddar cheddar charcuterie wine beer craft_beer cured_meat soy_sauce salami "
    "dextromethorphan cough_syrup decongestant pseudoephedrine tramadol",
    "lithium": f"{PAINKILLERS} salt salty low-salt low_salt diet dehydration dehydrated diuretic caffeine alcohol "
    "sauna hot_yoga marathon diarrhoea diarrhea vomiting sweating heatwave",
    "statin": "grapefruit alcohol",
    "atorvastatin": "grapefruit alcohol",
    "simvastatin": "grapefruit alcohol",
    "metformin": "alcohol fasting",
    "insulin": "alcohol fasting skip_meals skipping_meals",
    "metronidazole": "alcohol wine beer",
    "levothyroxine": "coffee calcium iron soy",
    "methotrexate": "alcohol ibuprofen aspirin trimethoprim",
    # never
    "fly": (
        "skydiving skydive hot_air_balloon fly flying flight flights plane planes airline airlines "
        "airport layover jet aeroplane airplane"
    ),
    "flight": "fly flying flight flights plane planes airline airlines airport layover",
    "plane": "fly flying flight flights plane planes airline airlines airport layover",
    "horror": "horror scary slasher zombie haunted thriller halloween",
    "crowd": "festival concert crowds stadium",
    "height": "bungee skydiving climbing rooftop cliff ferris_wheel observation_deck tower skyscraper via_ferrata "
    "zip_line zipline hot_air_balloon glass_bridge summit burj_khalifa abseiling paragliding",
    "seasick": "boat boats cruise cruises ferry ferries sailing island_hopping whale_watching yacht catamaran "
    "kayak kayaking dover calais",
    "boat": "boat boats cruise cruises ferry ferries sailing island_hopping whale_watching yacht catamaran",
    "knee": "run running jog jogging 5k 10k marathon hiit burpees jumps jumping squats lunges basketball football "
    "netball tennis skiing couch_to_5k",
    "running": "run running jog jogging 5k 10k marathon couch_to_5k",
    "jumping": "jumps jumping burpees box_jumps skipping trampoline basketball",
    "water": "swimming swim diving snorkelling snorkeling kayaking sailing boat cruise",
    "drive": "drive driving road_trip car_rental hire_a_car rent_a_car used_car",
    "keto": "bread pasta rice sugar potato potatoes dessert cake pizza noodles fries banana oats smoothie",
    "breastfeeding": "alcohol wine beer cocktail sudafed decongestant pseudoephedrine codeine",
    "camping": "camping tent campsite glamping",
}

# Requests that make any constraint of a domain bear on the message, even without naming what clashes: "what
# should I cook tonight?" matters to every food allergy and diet. A message that names a specific food or drug
# is judged by that name alone (boiling an egg is no risk to someone allergic to peanuts).
DOMAIN_REQUESTS: dict[str, str] = {
    "food": "recipe recipes cook cooking dinner lunch breakfast brunch meal meals snack snacks dessert desserts eat "
    "eating food dish dishes restaurant restaurants takeaway takeout order_in bake baking menu cuisine groceries "
    "grocery shopping_list potluck meal_prep picnic supper starter appetiser appetizer canapes canapés party_food "
    "hungry treat something_to_eat "
    # the same requests in the languages users most often ask for answers in
    "receta recetas cocinar cena almuerzo desayuno comida postre postres pastel torta tarta merienda "
    "recette recettes cuisiner dîner déjeuner petit-déjeuner repas gâteau goûter "
    "rezept rezepte kochen abendessen mittagessen frühstück nachtisch kuchen "
    "ricetta ricette cucinare pranzo colazione dolce dolci "
    "receita receitas cozinhar jantar almoço sobremesa bolo",
    "drugs": "pill pills tablet tablets medicine medicines medication painkiller headache migraine cold flu fever "
    "supplement supplements vitamin vitamins dose pharmacy prescription over_the_counter sore_throat cough "
    "hangover toothache back_pain period_pain prescribe prescribed infection antibiotic antibiotics dentist "
    "tooth_pulled surgery operation procedure diarrhoea diarrhea strep abscess doctor gp",
    "drink": "drinks drink bar pub party cocktail night_out celebrate toast happy_hour",
    "films": "film films movie movies watch watching cinema netflix series",
    "travel": "trip trips travel travelling traveling holiday holidays vacation getaway weekend_away abroad visit "
    "visiting itinerary honeymoon tour city_break quickest_way get_from get_to get_there",
}

CONSTRAINT_DOMAINS: dict[str, tuple[str, ...]] = {
    "allergy": ("food",),
    "intolerance": ("food",),
    "diet": ("food",),
    "condition": ("food",),
    "medication": ("drugs",),
    "never": (),
}
"""The domains whose open requests bear on each kind (a condition like pregnancy also bears on drugs)."""

EXTRA_DOMAINS: dict[str, tuple[str, ...]] = {
    "pregnan": ("food", "drugs", "drink"),
    "breastfeeding": ("food", "drugs", "drink"),
    "horror": ("films",),
    "drive": ("travel",),
    "seasick": ("travel",),
    "boat": ("travel",),
    "knee": (),
    "height": (),
    "penicillin": ("drugs",),
    "alcohol": ("drink",),
    "drink": ("drink",),
    "fly": ("travel",),
    "flight": ("travel",),
    "plane": ("travel",),
    "diabet": ("food", "drink"),
    "warfarin": ("drugs",),
    "latex": (),
    "bee": (),
    "cat": (),
    "dog": (),
    "pollen": (),
    "epilep": (),
    "asthma": (),
}
"""Subjects whose domains differ from their kind's (an allergy to cats is no food matter)."""

CONDITION_AVOIDS: dict[str, str] = {
    "coeliac": "gluten",
    "celiac": "gluten",
    "diabet": "sugar",
    "blood sugar": "sugar",
    "blood pressure": "salt",
    "hypertension": "salt",
    "cholesterol": "saturated fat",
    "gout": "red meat, shellfish and beer",
    "ibs": "onion, garlic and beans",
    "reflux": "spicy, fatty and acidic food",
    "kidney": "salt",
    "pregnan": "what isn't safe in pregnancy",
    "breastfeed": "alcohol",
    "epilep": "flashing lights",
    "migraine": "your usual triggers",
}
"""For a condition, what a reply that heeds it steers clear of ("you're coeliac, so I'd avoid gluten"), by the stem
of the condition as in TRIGGERS."""
