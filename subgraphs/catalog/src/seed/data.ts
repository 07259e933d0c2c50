/** Demo catalog vocabulary: Nigerian fashion, enough variety for search and filters to be worth trying. */
export const CATEGORY_TREE: Array<{ slug: string; name: string; children: Array<{ slug: string; name: string }> }> = [
  {
    slug: 'women',
    name: 'Women',
    children: [
      { slug: 'women-dresses', name: 'Dresses' },
      { slug: 'women-tops', name: 'Tops & Blouses' },
      { slug: 'women-skirts', name: 'Skirts' },
      { slug: 'women-iro-buba', name: 'Iro & Buba' },
    ],
  },
  {
    slug: 'men',
    name: 'Men',
    children: [
      { slug: 'men-agbada', name: 'Agbada' },
      { slug: 'men-kaftans', name: 'Kaftans' },
      { slug: 'men-shirts', name: 'Shirts' },
      { slug: 'men-trousers', name: 'Trousers' },
    ],
  },
  {
    slug: 'kids',
    name: 'Kids',
    children: [
      { slug: 'kids-girls', name: 'Girls' },
      { slug: 'kids-boys', name: 'Boys' },
    ],
  },
  {
    slug: 'accessories',
    name: 'Accessories',
    children: [
      { slug: 'accessories-headwraps', name: 'Gele & Headwraps' },
      { slug: 'accessories-bags', name: 'Bags' },
      { slug: 'accessories-jewellery', name: 'Beads & Jewellery' },
      { slug: 'accessories-shoes', name: 'Shoes' },
    ],
  },
];

/** What each leaf category sells, used to build titles. */
export const ITEMS: Record<string, string[]> = {
  'women-dresses': ['Wrap Dress', 'Maxi Dress', 'Bubu Gown', 'Mermaid Gown', 'Shift Dress'],
  'women-tops': ['Peplum Top', 'Off-Shoulder Blouse', 'Crop Top', 'Kimono Jacket'],
  'women-skirts': ['Pencil Skirt', 'Flare Skirt', 'Midi Skirt'],
  'women-iro-buba': ['Iro and Buba Set', 'Buba Blouse', 'Iro Wrapper'],
  'men-agbada': ['Agbada Set', 'Three-Piece Agbada', 'Embroidered Agbada'],
  'men-kaftans': ['Kaftan', 'Senator Kaftan', 'Long Kaftan'],
  'men-shirts': ['Shirt', 'Short-Sleeve Shirt', 'Dashiki Shirt'],
  'men-trousers': ['Trousers', 'Joggers', 'Sokoto Trousers'],
  'kids-girls': ['Girls Dress', 'Girls Iro and Buba', 'Girls Skirt Set'],
  'kids-boys': ['Boys Kaftan', 'Boys Agbada', 'Boys Shirt'],
  'accessories-headwraps': ['Gele', 'Headwrap', 'Turban'],
  'accessories-bags': ['Clutch Bag', 'Tote Bag', 'Beaded Purse'],
  'accessories-jewellery': ['Coral Beads', 'Beaded Necklace', 'Bracelet Set'],
  'accessories-shoes': ['Slippers', 'Loafers', 'Sandals'],
};

export const FABRICS = ['Ankara', 'Adire', 'Aso-Oke', 'Lace', 'Kente', 'Akwete', 'Batik', 'Silk', 'Linen', 'Chiffon', 'Velvet', 'Damask'];
export const STYLES = ['Classic', 'Royal', 'Elegant', 'Everyday', 'Festive', 'Modern', 'Vintage', 'Bold', 'Owambe', 'Minimal'];
export const COLOURS = ['Red', 'Blue', 'Green', 'Gold', 'Black', 'White', 'Purple', 'Orange', 'Wine', 'Emerald'];
export const SIZES = ['S', 'M', 'L', 'XL'];

export const BRANDS = [
  'Lagos Loom',
  'Eko Couture',
  'Abuja Atelier',
  'Kano Threads',
  'Ibadan Indigo',
  'Calabar Classics',
  'Enugu Edge',
  'Benin Bronze',
  'Owambe Originals',
  'Adire Republic',
  'Ankara Avenue',
  'Aso-Oke Heritage',
  'Naija Tailors',
  'Delta Drapes',
  'Jos Plateau Knits',
  'Kaduna Kraft',
  'Oyo Royale',
  'Port Harcourt Prints',
  'Zaria Stitches',
  'Sokoto Silks',
];

export const COLLECTIONS = [
  { slug: 'owambe-ready', name: 'Owambe Ready', description: 'Statement pieces for Saturday parties.' },
  { slug: 'office-chic', name: 'Office Chic', description: 'Prints that work nine to five.' },
  { slug: 'made-to-measure', name: 'Made to Measure', description: 'Tailored to you by our vendors.' },
];
